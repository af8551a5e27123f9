"""Lead images: accepting an upload, storing it, and the renditions pages show.

An upload is accepted only when Pillow reads it whole as a JPEG, PNG or WebP within the size
and pixel limits; it is then re-encoded from its pixels, which drops EXIF, XMP and every other
piece of metadata (camera, place, software). Files go through Django's storage API, so the
default file system and any STORAGES backend (an S3 bucket in production) work alike.

Names are content-addressed (a hash of the upload), so the same picture uploaded twice is one
file, and every rendition's name and size follow from its lead image's row. Renditions are made
once, when the image is stored, and recorded in the Rendition table; a page reads the lead image
row joined to its article and never touches Pillow or the Rendition table.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

from articles.models import LeadImage, Rendition

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_WIDTH, MIN_HEIGHT = 1200, 675
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
FOLDER = "lead-images"
JPEG_QUALITY = 84


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


def _stem(lead_image):
    return f"{FOLDER}/{lead_image.digest[:2]}/{lead_image.digest[:40]}"


def rendition_name(lead_image, spec_name):
    extension = "png" if lead_image.has_alpha else "jpg"
    return f"{_stem(lead_image)}/{spec_name}.{extension}"


def picture(lead_image, spec_name):
    """The rendition `spec_name` of `lead_image`: address and size, without a query."""
    width, height = SPECS[spec_name].size_for(lead_image.width, lead_image.height)
    return Picture(default_storage.url(rendition_name(lead_image, spec_name)), width, height)


def srcset(lead_image):
    return ", ".join(
        f"{shown.url} {shown.width}w"
        for shown in dict.fromkeys(picture(lead_image, spec.name) for spec in WIDTHS)
    )


# Accepting an upload ------------------------------------------------------------------------


@dataclass
class Accepted:
    """An upload that passed every check: its pixels (loaded, upright) and what we know of it."""

    image: Image.Image
    format: str
    digest: str


def _megapixels(width, height):
    return f"{width:,} × {height:,} pixels ({width * height / 1_000_000:,.1f} megapixels)"


def _too_many_pixels(width, height):
    return ValidationError(
        f"This picture declares {_megapixels(width, height)}; the limit is "
        f"{MAX_PIXELS // 1_000_000} megapixels. Export a smaller version and upload that.",
        code="image_too_many_pixels",
    )


def accept_upload(upload):
    """Check an uploaded file and return its `Accepted` pixels, or raise ValidationError with a
    message an editor can act on. Nothing is stored here."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            f"This file is {filesizeformat(upload.size)}; the limit is "
            f"{filesizeformat(MAX_BYTES)}. Export a smaller JPEG, PNG or WebP.",
            code="image_too_large",
        )
    data = upload.read()
    not_an_image = ValidationError(
        f"“{upload.name}” is not a picture Pillow can read as JPEG, PNG or WebP, whatever its "
        "name says. Upload a real JPEG, PNG or WebP file.",
        code="image_unreadable",
    )
    kind = None
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice that; both are refusals here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                kind, (width, height) = probe.format, probe.size
                if kind not in FORMATS:
                    raise ValidationError(
                        f"This is a {kind} file; upload a JPEG, PNG or WebP picture.",
                        code="image_format",
                    )
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                probe.verify()
            with Image.open(io.BytesIO(data)) as source:
                source.load()
                image = ImageOps.exif_transpose(source)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bomb_error() from None
        except UnidentifiedImageError:
            raise not_an_image from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise ValidationError(
                f"“{upload.name}” looks like a {FORMATS.get(kind, 'picture').upper()} but is "
                "damaged or cut short. Export it again and upload the new file.",
                code="image_damaged",
            ) from None
    if image.width < MIN_WIDTH or image.height < MIN_HEIGHT:
        raise ValidationError(
            f"This picture is {image.width} × {image.height} pixels; a lead image needs at least "
            f"{MIN_WIDTH} × {MIN_HEIGHT} so it stays sharp on large screens and in link previews.",
            code="image_too_small",
        )
    return Accepted(image=image, format=kind, digest=hashlib.sha256(data).hexdigest())


def _bomb_error():
    # Pillow refuses such a header before reading any pixels (a "decompression bomb": a small
    # file that would unpack into gigabytes); the editor hears about the limit, not Pillow.
    return ValidationError(
        f"This picture declares more than {Image.MAX_IMAGE_PIXELS // 1_000_000:,} million "
        f"pixels, far beyond the limit of {MAX_PIXELS // 1_000_000} megapixels, so it was not "
        "opened. Export a smaller version and upload that.",
        code="image_too_many_pixels",
    )


# Storing -------------------------------------------------------------------------------------


def _has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _clean_pixels(image, *, alpha):
    """The pixels alone, in RGB or RGBA: no EXIF, XMP, comments or text chunks carried over."""
    mode = "RGBA" if alpha else "RGB"
    clean = image if image.mode == mode else image.convert(mode)
    if clean is image and image.info:
        clean = image.copy()
    clean.info = {}
    return clean


def _encode(image, kind, *, icc_profile=None):
    out = io.BytesIO()
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if kind == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **options)
    elif kind == "PNG":
        image.save(out, "PNG", optimize=True, **options)
    else:
        image.save(out, "WEBP", quality=JPEG_QUALITY, method=4, **options)
    return out.getvalue()


def _write(name, content):
    """Store `content` at exactly `name` (content-addressed: an existing file is the same)."""
    if default_storage.exists(name):
        return name
    stored = default_storage.save(name, ContentFile(content))
    if stored != name:
        raise RuntimeError(
            f"The media storage saved {name} as {stored}; renditions need exact names."
        )
    return stored


def store_lead_image(accepted, *, user=None):
    """The LeadImage for `accepted`, stored with its renditions (the same picture uploaded
    again is the stored one, not a copy)."""
    existing = LeadImage.objects.filter(digest=accepted.digest).first()
    if existing is not None:
        make_renditions(existing, source=accepted.image)
        return existing
    alpha = _has_alpha(accepted.image)
    pixels = _clean_pixels(accepted.image, alpha=alpha)
    icc = accepted.image.info.get("icc_profile")
    lead_image = LeadImage(
        digest=accepted.digest,
        format=accepted.format,
        width=pixels.width,
        height=pixels.height,
        has_alpha=alpha,
        uploaded_by=user,
    )
    name = f"{_stem(lead_image)}.{FORMATS[accepted.format]}"
    lead_image.file.name = _write(name, _encode(pixels, accepted.format, icc_profile=icc))
    try:
        with transaction.atomic():
            lead_image.save()
    except IntegrityError:  # the same picture, stored a moment ago by another request
        lead_image = LeadImage.objects.get(digest=accepted.digest)
    make_renditions(lead_image, source=pixels, icc_profile=icc)
    return lead_image


def make_renditions(lead_image, *, source=None, icc_profile=None):
    """Make and record every rendition `lead_image` lacks; returns the new Rendition rows.

    Made ones are recorded, so calling this again (or rendering any page) encodes nothing.
    """
    made = set(lead_image.renditions.values_list("spec", flat=True))
    missing = [spec for spec in SPECS.values() if spec.name not in made]
    if not missing:
        return []
    if source is None:
        with default_storage.open(lead_image.file.name, "rb") as stored, Image.open(stored) as im:
            im.load()
            icc_profile = im.info.get("icc_profile")
            source = _clean_pixels(im, alpha=lead_image.has_alpha)
    else:
        source = _clean_pixels(source, alpha=lead_image.has_alpha)
    kind = "PNG" if lead_image.has_alpha else "JPEG"
    created = []
    for spec in missing:
        size = spec.size_for(source.width, source.height)
        resized = source.resize(size, Image.Resampling.LANCZOS, box=spec.crop_box(*source.size))
        resized.info = {}
        name = _write(
            rendition_name(lead_image, spec.name), _encode(resized, kind, icc_profile=icc_profile)
        )
        rendition, was_made = Rendition.objects.get_or_create(
            lead_image=lead_image,
            spec=spec.name,
            defaults={"file": name, "width": size[0], "height": size[1]},
        )
        if was_made:
            created.append(rendition)
    return created


# The admin form's part -----------------------------------------------------------------------


class LeadImageFormMixin(forms.Form):
    """The lead image fields of the article form: an upload checked by `accept_upload()`, a
    way to remove the image, and the alt text required whenever an image is shown."""

    lead_image_upload = forms.FileField(
        label="Lead image",
        required=False,
        help_text=(
            f"JPEG, PNG or WebP, at least {MIN_WIDTH} × {MIN_HEIGHT} pixels, up to "
            f"{MAX_BYTES // (1024 * 1024)} MB. Camera and location data are removed."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_lead_image = forms.BooleanField(
        label="Remove the lead image", required=False, help_text="The file stays in storage."
    )

    def clean_lead_image_upload(self):
        upload = self.cleaned_data.get("lead_image_upload")
        if not upload:
            return None
        return accept_upload(upload)

    def clean(self):
        cleaned = super().clean()
        accepted = cleaned.get("lead_image_upload")
        removing = cleaned.get("remove_lead_image") and not accepted
        shows_image = accepted or (self.instance.lead_image_id and not removing)
        if shows_image and not (cleaned.get("lead_image_alt") or "").strip():
            self.add_error(
                "lead_image_alt",
                ValidationError(
                    "Describe the picture in a few words for readers who cannot see it: alt "
                    "text is required with a lead image.",
                    code="image_alt_missing",
                ),
            )
        if accepted and self.errors:
            self.add_error(
                "lead_image_upload",
                ValidationError(
                    "The picture was fine, but browsers forget a chosen file when a save "
                    "fails: choose it again.",
                    code="image_choose_again",
                ),
            )
        return cleaned

    def apply_lead_image(self, article, *, user):
        """Store an accepted upload (or drop the image) on `article`, before it is saved."""
        accepted = self.cleaned_data.get("lead_image_upload")
        if accepted:
            article.lead_image = store_lead_image(accepted, user=user)
        elif self.cleaned_data.get("remove_lead_image"):
            article.lead_image = None
