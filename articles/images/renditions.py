"""The renditions pages show: sizes and crops, their file names and addresses.

Names are content-addressed (a hash of the upload), so the same picture uploaded twice is one
file, and every rendition's name and size follow from its lead image's row: a page reads the
lead image row joined to its article and never touches Pillow or the Rendition table.
"""

from dataclasses import dataclass

from django.core.files.storage import default_storage

FOLDER = "lead-images"


@dataclass(frozen=True)
class Spec:
    """A rendition: at most `width` wide, cropped to `ratio` (w, h) around the centre if set."""

    name: str
    width: int
    ratio: tuple = None

    def crop_box(self, width, height):
        if self.ratio is None:
            return (0, 0, width, height)
        rw, rh = self.ratio
        if width * rh > height * rw:  # wider than the ratio: trim the sides
            box_w, box_h = round(height * rw / rh), height
        else:
            box_w, box_h = width, round(width * rh / rw)
        left, top = (width - box_w) // 2, (height - box_h) // 2
        return (left, top, left + box_w, top + box_h)

    def size_for(self, width, height):
        """The rendition's pixel size for a source of `width` × `height` (never enlarged)."""
        left, top, right, bottom = self.crop_box(width, height)
        box_w, box_h = right - left, bottom - top
        out_w = min(self.width, box_w)
        if self.ratio is None:
            return out_w, max(1, round(box_h * out_w / box_w))
        rw, rh = self.ratio
        return out_w, max(1, round(out_w * rh / rw))


# Widths for srcset; the small one is also what lists and the digest show.
WIDTHS = (Spec("w480", 480), Spec("w800", 800), Spec("w1200", 1200))
# Link previews (OpenGraph, Twitter) and the three crops search engines ask for in JSON-LD.
OPEN_GRAPH = Spec("og", 1200, (1200, 630))
CROPS = (Spec("16x9", 1200, (16, 9)), Spec("4x3", 1200, (4, 3)), Spec("1x1", 1200, (1, 1)))
SPECS = {spec.name: spec for spec in (*WIDTHS, OPEN_GRAPH, *CROPS)}
SMALL = "w480"
# What a list needs to show the small rendition (articles.lists.listing() joins them).
LIST_COLUMNS = (
    "lead_image_alt",
    "lead_image__digest",
    "lead_image__width",
    "lead_image__height",
    "lead_image__has_alpha",
)


@dataclass(frozen=True)
class Picture:
    """One stored rendition as a page uses it."""

    url: str
    width: int
    height: int


def stem(lead_image):
    """The lead image's name without extension; its renditions live in a folder of that name."""
    return f"{FOLDER}/{lead_image.digest[:2]}/{lead_image.digest[:40]}"


def rendition_name(lead_image, spec_name):
    extension = "png" if lead_image.has_alpha else "jpg"
    return f"{stem(lead_image)}/{spec_name}.{extension}"


def picture(lead_image, spec_name):
    """The rendition `spec_name` of `lead_image`: address and size, without a query."""
    width, height = SPECS[spec_name].size_for(lead_image.width, lead_image.height)
    return Picture(default_storage.url(rendition_name(lead_image, spec_name)), width, height)


def srcset(lead_image):
    return ", ".join(
        f"{shown.url} {shown.width}w"
        for shown in dict.fromkeys(picture(lead_image, spec.name) for spec in WIDTHS)
    )
