"""Whether an upload is a lead image we take, and its pixels in sRGB.

An upload is accepted only when Pillow reads it whole as a JPEG, PNG or WebP within the size and
pixel limits. Its colours are converted from the profile it carries to sRGB, the colour space
browsers and mail clients assume for a picture without one; storage.py then re-encodes the
pixels alone, which drops the profile, EXIF, XMP and every other piece of metadata (camera,
place, software).
"""

import hashlib
import io
import struct
import warnings
import zlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_WIDTH, MIN_HEIGHT = 1200, 675
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
SRGB = ImageCms.createProfile("sRGB")


@dataclass
class Accepted:
    """An upload that passed every check: its pixels (loaded, upright, sRGB) and what we know
    of it."""

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


def _bomb_error():
    # Pillow refuses such a header before reading any pixels (a "decompression bomb": a small
    # file that would unpack into gigabytes); the editor hears about the limit, not Pillow.
    return ValidationError(
        f"This picture declares more than {Image.MAX_IMAGE_PIXELS // 1_000_000:,} million "
        f"pixels, far beyond the limit of {MAX_PIXELS // 1_000_000} megapixels, so it was not "
        "opened. Export a smaller version and upload that.",
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
            if kind == "PNG" and not png_rows_complete(data):
                raise OSError("the pixel data ends before the last row")
            with Image.open(io.BytesIO(data)) as source:
                source.load()
                image = ImageOps.exif_transpose(source)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bomb_error() from None
        except UnidentifiedImageError:
            raise ValidationError(
                f"“{upload.name}” is not a picture Pillow can read as JPEG, PNG or WebP, "
                "whatever its name says. Upload a real JPEG, PNG or WebP file.",
                code="image_unreadable",
            ) from None
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
    return Accepted(image=in_srgb(image), format=kind, digest=hashlib.sha256(data).hexdigest())


# A whole decode -----------------------------------------------------------------------------

# Bits per pixel, by PNG colour type, for one bit of depth.
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# Adam7 interlacing: each pass's first column and row, and its steps.
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2))
_ADAM7 += ((0, 1, 1, 2),)


def png_rows_complete(data):
    """Whether a PNG's compressed pixel data holds every row its header declares.

    Pillow's PNG decoder stops where the compressed stream stops and leaves the rows after it
    black, without a word: a 126-byte file declaring 8000 × 5000 pixels would load as 40 MP.
    This inflates the IDAT chunks (a megabyte at a time) and counts the bytes. Called after
    Pillow's verify(), so the chunks' framing is sound.
    """
    width, height, depth, colour, _, _, interlaced = struct.unpack(">IIBBBBB", data[16:29])
    bits = depth * _PNG_CHANNELS[colour]

    def scanlines(columns, rows):
        return rows * (1 + (columns * bits + 7) // 8) if columns and rows else 0

    if interlaced:
        expected = sum(
            scanlines(-(-(width - x) // dx), -(-(height - y) // dy))
            for x, y, dx, dy in _ADAM7
            if width > x and height > y
        )
    else:
        expected = scanlines(width, height)
    inflater, produced, position = zlib.decompressobj(), 0, 8
    while position + 8 <= len(data) and produced < expected:
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        pending = data[position + 8 : position + 8 + length] if kind == b"IDAT" else b""
        while pending and produced < expected:
            try:
                produced += len(inflater.decompress(pending, 1 << 20))
            except zlib.error:
                return False
            pending = inflater.unconsumed_tail
        position += 12 + length
    return produced >= expected


# Colours ------------------------------------------------------------------------------------


def has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def in_srgb(image):
    """`image`'s pixels in sRGB, in RGB or RGBA, without the profile it carried.

    A picture from a camera or a designer's export may carry its own colour profile (Display
    P3, Adobe RGB, a printer's CMYK); its numbers mean those colours only with the profile. Our
    files go out without one, which every browser and mail client reads as sRGB, so the pixels
    are converted. A profile littleCMS cannot use is ignored, as browsers ignore it.
    """
    mode = "RGBA" if has_alpha(image) else "RGB"
    icc = image.info.get("icc_profile")
    if icc:
        source = image if image.mode in ("RGB", "RGBA", "L", "CMYK") else image.convert(mode)
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            image = ImageCms.profileToProfile(source, profile, SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    converted = image if image.mode == mode else image.convert(mode)
    if converted.info:  # EXIF, XMP, text chunks, the profile: none of it goes any further
        converted = converted.copy()
        converted.info = {}
    return converted
