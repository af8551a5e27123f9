"""Lead image files: a picture is decoded whole before it is accepted, and what we store (the
original and every rendition) is sRGB without the colour profile the upload carried."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image, ImageCms

from articles import images
from articles.models import Article, LeadImage
from tests import integrity_factories
from tests.discovery_factories import FormReader
from tests.integrity_factories import (
    interlaced_png,
    linear_rgb_profile,
    picture_bytes,
    short_png,
    upload,
)
from tests.test_articles_factories import make_article

pytestmark = pytest.mark.django_db
editor = pytest.fixture(integrity_factories.editor_user, name="editor")
media = pytest.fixture(integrity_factories.media_folder, name="media")


def refused(upload_file):
    with pytest.raises(ValidationError) as caught:
        images.accept_upload(upload_file)
    return caught.value.code, " ".join(caught.value.messages)


def stored(lead_image):
    """Every file stored for `lead_image` (the original first), as raw bytes."""
    names = [lead_image.file.name, *lead_image.renditions.values_list("file", flat=True)]
    assert len(names) == 1 + len(images.SPECS)
    files = {}
    for name in names:
        with default_storage.open(name, "rb") as opened:
            files[name] = opened.read()
    return files


def profile_of(raw):
    with Image.open(io.BytesIO(raw)) as opened:
        return opened.info.get("icc_profile")


def centre(raw):
    with Image.open(io.BytesIO(raw)) as opened:
        return opened.convert("RGB").getpixel((opened.width // 2, opened.height // 2))


# A whole decode.


def test_a_png_whose_pixel_data_stops_early_is_refused(media):
    data = short_png(8000, 5000, rows=2)  # 40 megapixels declared, two rows present
    assert len(data) < 200
    code, message = refused(upload("poster.png", data, "image/png"))
    assert code == "image_damaged"
    assert "“poster.png” looks like a PNG but is damaged or cut short" in message
    assert LeadImage.objects.count() == 0 and not Path(media).exists()


def test_a_png_one_row_short_is_refused_and_a_whole_one_accepted(media):
    code, _ = refused(upload("short.png", short_png(1200, 700, rows=699), "image/png"))
    assert code == "image_damaged"
    accepted = images.accept_upload(upload("whole.png", short_png(1200, 700, rows=700)))
    assert accepted.image.size == (1200, 700)


@pytest.mark.parametrize(
    ("mode", "options"),
    [
        ("RGB", {}),
        ("RGBA", {}),
        ("L", {}),
        ("LA", {}),
        ("1", {}),
        ("P", {}),
        ("P", {"transparency": 0}),
        ("I;16", {}),
    ],
)
def test_every_kind_of_whole_png_is_accepted(media, mode, options):
    # Odd sizes, so rows end part-way through a byte for the 1-bit picture.
    out = io.BytesIO()
    Image.new("RGB", (1201, 677), (30, 60, 120)).convert(mode).save(out, "PNG", **options)
    accepted = images.accept_upload(upload("kind.png", out.getvalue(), "image/png"))
    assert accepted.image.size == (1201, 677)


def test_interlaced_pngs_are_accepted_whole_and_refused_short(media):
    whole = interlaced_png(1203, 679)
    with Image.open(io.BytesIO(whole)) as opened:
        assert opened.info.get("interlace") == 1
    assert images.accept_upload(upload("adam7.png", whole, "image/png")).image.size == (1203, 679)
    code, _ = refused(upload("adam7.png", interlaced_png(1203, 679, passes=6), "image/png"))
    assert code == "image_damaged"


def test_the_admin_form_says_the_picture_is_damaged_and_keeps_what_was_typed(client, editor, media):
    article = make_article("Before", status=Article.Status.DRAFT)
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = FormReader(client.get(url).content.decode(), "article_form")
    post = form.as_post(headline="After", lead_image_alt="A poster", _save="Save")
    post["lead_image_upload"] = upload("poster.png", short_png(), "image/png")
    response = client.post(url, post)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["lead_image_upload"]
    assert "“poster.png” looks like a PNG but is damaged or cut short" in errors[0]
    assert 'value="After"' in response.content.decode()
    article.refresh_from_db()
    assert article.headline == "Before" and article.lead_image is None
    assert LeadImage.objects.count() == 0


# Colours.


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_colours_are_converted_from_the_embedded_profile_and_the_profile_dropped(media, fmt):
    profile = linear_rgb_profile()
    out = io.BytesIO()
    Image.new("RGB", (1600, 900), (128, 128, 128)).save(out, fmt, icc_profile=profile)
    assert profile_of(out.getvalue()) == profile

    lead_image = images.store_lead_image(images.accept_upload(upload(f"p.{fmt}", out.getvalue())))

    for name, raw in stored(lead_image).items():
        assert profile_of(raw) is None, name
        # Mid grey in linear light is a light grey in sRGB, which is how files without a
        # profile are shown.
        assert all(abs(channel - 188) <= 3 for channel in centre(raw)), (name, centre(raw))


def test_an_srgb_picture_keeps_its_colours(media):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = picture_bytes("PNG", (1600, 900), icc_profile=srgb)
    lead_image = images.store_lead_image(images.accept_upload(upload("s.png", data)))
    for name, raw in stored(lead_image).items():
        assert profile_of(raw) is None, name
        assert all(abs(a - b) <= 3 for a, b in zip(centre(raw), (240, 200, 40), strict=True))


def test_transparency_survives_the_conversion(media):
    out = io.BytesIO()
    Image.new("RGBA", (1400, 800), (128, 128, 128, 90)).save(
        out, "PNG", icc_profile=linear_rgb_profile()
    )
    lead_image = images.store_lead_image(images.accept_upload(upload("t.png", out.getvalue())))
    assert lead_image.has_alpha
    for name, raw in stored(lead_image).items():
        with Image.open(io.BytesIO(raw)) as opened:
            assert opened.mode == "RGBA" and "icc_profile" not in opened.info, name
            red, green, blue, alpha = opened.getpixel((10, 10))
        assert alpha == 90 and abs(red - 188) <= 3, name


def test_a_profile_that_cannot_be_read_is_dropped_and_the_pixels_kept(media):
    junk = b"not a colour profile at all" * 20
    data = picture_bytes("PNG", (1600, 900), icc_profile=junk)
    lead_image = images.store_lead_image(images.accept_upload(upload("j.png", data)))
    for name, raw in stored(lead_image).items():
        assert profile_of(raw) is None, name
        assert all(abs(a - b) <= 3 for a, b in zip(centre(raw), (240, 200, 40), strict=True))


def test_renditions_made_later_from_an_old_original_with_a_profile_are_srgb(media):
    # Originals stored before this change kept the upload's profile; renditions made from
    # them (make_renditions reads the stored original) are converted too.
    lead_image = images.store_lead_image(images.accept_upload(upload("o.jpg", picture_bytes())))
    out = io.BytesIO()
    Image.new("RGB", (1600, 900), (128, 128, 128)).save(
        out, "JPEG", icc_profile=linear_rgb_profile()
    )
    with default_storage.open(lead_image.file.name, "wb") as original:
        original.write(out.getvalue())
    for rendition in lead_image.renditions.all():
        default_storage.delete(rendition.file.name)
    lead_image.renditions.all().delete()

    assert len(images.make_renditions(lead_image)) == len(images.SPECS)
    for rendition in lead_image.renditions.all():
        with default_storage.open(rendition.file.name, "rb") as opened:
            raw = opened.read()
        assert profile_of(raw) is None, rendition.spec
        assert all(abs(channel - 188) <= 3 for channel in centre(raw)), rendition.spec
