"""Storing a lead image: the original, re-encoded from its sRGB pixels alone, and its
renditions, made once when it is stored and recorded in the Rendition table. Files go through
Django's storage API, so the default file system and any STORAGES backend (an S3 bucket in
production) work alike."""

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from PIL import Image

from articles.images.renditions import SPECS, rendition_name, stem
from articles.images.uploads import FORMATS, has_alpha, in_srgb
from articles.models import LeadImage, Rendition

JPEG_QUALITY = 84


def _encode(image, kind):
    out = io.BytesIO()
    if kind == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif kind == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=JPEG_QUALITY, method=4)
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
    pixels = in_srgb(accepted.image)
    lead_image = LeadImage(
        digest=accepted.digest,
        format=accepted.format,
        width=pixels.width,
        height=pixels.height,
        has_alpha=has_alpha(pixels),
        uploaded_by=user,
    )
    name = f"{stem(lead_image)}.{FORMATS[accepted.format]}"
    lead_image.file.name = _write(name, _encode(pixels, accepted.format))
    try:
        with transaction.atomic():
            lead_image.save()
    except IntegrityError:  # the same picture, stored a moment ago by another request
        lead_image = LeadImage.objects.get(digest=accepted.digest)
    make_renditions(lead_image, source=pixels)
    return lead_image


def make_renditions(lead_image, *, source=None):
    """Make and record every rendition `lead_image` lacks; returns the new Rendition rows.

    Made ones are recorded, so calling this again (or rendering any page) encodes nothing.
    Without `source` (its pixels), the stored original is read.
    """
    made = set(lead_image.renditions.values_list("spec", flat=True))
    missing = [spec for spec in SPECS.values() if spec.name not in made]
    if not missing:
        return []
    if source is None:
        with default_storage.open(lead_image.file.name, "rb") as stored, Image.open(stored) as im:
            im.load()
            source = in_srgb(im)
    else:
        source = in_srgb(source)
    kind = "PNG" if lead_image.has_alpha else "JPEG"
    if source.mode != ("RGBA" if lead_image.has_alpha else "RGB"):
        source = source.convert("RGBA" if lead_image.has_alpha else "RGB")
    created = []
    for spec in missing:
        size = spec.size_for(source.width, source.height)
        resized = source.resize(size, Image.Resampling.LANCZOS, box=spec.crop_box(*source.size))
        name = _write(rendition_name(lead_image, spec.name), _encode(resized, kind))
        rendition, was_made = Rendition.objects.get_or_create(
            lead_image=lead_image,
            spec=spec.name,
            defaults={"file": name, "width": size[0], "height": size[1]},
        )
        if was_made:
            created.append(rendition)
    return created
