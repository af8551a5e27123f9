"""Lead images: accepting an upload, storing it, and the renditions pages show.

- renditions.py: the sizes and crops pages show, their file names and addresses (what a page
  reads; no Pillow, no query).
- uploads.py: whether an upload is a picture we take (format, size, pixels, a whole decode)
  and its pixels in sRGB.
- storage.py: the original and its renditions, written through Django's storage API.
- form.py: the lead image fields of the article form.

Everything the rest of the site uses is importable from here (`from articles import images`).
"""

from articles.images.form import LeadImageFormMixin
from articles.images.renditions import (
    CROPS,
    FOLDER,
    LIST_COLUMNS,
    OPEN_GRAPH,
    SMALL,
    SPECS,
    WIDTHS,
    Picture,
    Spec,
    picture,
    rendition_name,
    srcset,
)
from articles.images.storage import make_renditions, store_lead_image
from articles.images.uploads import (
    FORMATS,
    MAX_BYTES,
    MAX_PIXELS,
    MIN_HEIGHT,
    MIN_WIDTH,
    Accepted,
    accept_upload,
)

__all__ = [
    "CROPS",
    "FOLDER",
    "FORMATS",
    "LIST_COLUMNS",
    "MAX_BYTES",
    "MAX_PIXELS",
    "MIN_HEIGHT",
    "MIN_WIDTH",
    "OPEN_GRAPH",
    "SMALL",
    "SPECS",
    "WIDTHS",
    "Accepted",
    "LeadImageFormMixin",
    "Picture",
    "Spec",
    "accept_upload",
    "make_renditions",
    "picture",
    "rendition_name",
    "srcset",
    "store_lead_image",
]
