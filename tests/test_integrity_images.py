"""Lead images: upload checks with clear messages (a picture is decoded whole before it is
accepted), metadata stripped, colours converted to sRGB and the upload's profile dropped,
renditions made once and stored through the storage API, and the page showing them without
layout shift."""

import io
import json
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from PIL import Image, ImageCms

from articles import images
from articles.models import Article, LeadImage, Rendition
from tests import factories
from tests.factories import (
    bomb_png,
    camera_exif,
    interlaced_png,
    linear_rgb_profile,
    make_article,
    picture_bytes,
    short_png,
    upload,
)
from tests.readers import FormReader, read_page

pytestmark = pytest.mark.django_db
editor = pytest.fixture(factories.editor_user, name="editor")
media = pytest.fixture(factories.media_folder, name="media")


def refused(upload_file):
    with pytest.raises(ValidationError) as caught:
        images.accept_upload(upload_file)
    return caught.value.code, " ".join(caught.value.messages)


def stored_files(root):
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    )


# What is refused, and what the editor is told.


def test_a_text_file_named_like_a_jpeg_is_refused(media):
    code, message = refused(upload("holiday.jpg", b"Dear editor, this is not a picture.\n" * 20))
    assert code == "image_unreadable"
    assert "“holiday.jpg” is not a picture" in message and "JPEG, PNG or WebP" in message


def test_a_file_over_the_size_limit_is_refused_before_it_is_decoded(media):
    # A real JPEG with 11 MB of trailing bytes: decoders would read it, the limit does not.
    data = picture_bytes() + b"\0" * (11 * 1024 * 1024)
    code, message = refused(upload("huge.jpg", data))
    assert code == "image_too_large"
    assert "11.0\xa0MB" in message and "the limit is 10.0\xa0MB" in message


def test_a_picture_over_the_pixel_limit_is_refused(media):
    data = picture_bytes("PNG", (8000, 6000))  # 48 megapixels, a small file
    code, message = refused(upload("wide.png", data, "image/png"))
    assert code == "image_too_many_pixels"
    assert "8,000 × 6,000 pixels (48.0 megapixels)" in message
    assert "the limit is 40 megapixels" in message


def test_a_decompression_bomb_is_refused_without_being_decoded(media):
    data = bomb_png()
    assert len(data) < 100
    code, message = refused(upload("tiny.png", data, "image/png"))
    assert code == "image_too_many_pixels"
    assert "more than 89 million pixels" in message and "limit of 40 megapixels" in message


def test_a_bomb_just_over_pillows_warning_line_is_refused_too(media):
    # Between Pillow's limit and twice it, Pillow only warns; we refuse.
    code, _ = refused(upload("wide.png", bomb_png(12_000, 9_000), "image/png"))
    assert code == "image_too_many_pixels"


def test_other_formats_and_damaged_files_are_refused(media):
    gif = io.BytesIO()
    Image.new("RGB", (1600, 900)).save(gif, "GIF")
    code, message = refused(upload("anim.gif", gif.getvalue(), "image/gif"))
    assert code == "image_format" and "This is a GIF file" in message

    cut = picture_bytes()[:4000]
    code, message = refused(upload("cut.jpg", cut))
    assert code == "image_damaged" and "damaged or cut short" in message


def test_a_small_picture_is_refused_with_the_minimum(media):
    code, message = refused(upload("thumb.jpg", picture_bytes(size=(800, 450))))
    assert code == "image_too_small"
    assert "800 × 450" in message and "at least 1200 × 675" in message


# What is stored.


def test_metadata_is_stripped_and_the_picture_turned_upright(media):
    exif = camera_exif()
    exif[0x0112] = 6  # Orientation: the camera was held on its side
    data = picture_bytes(size=(2000, 1300), exif=exif.tobytes())
    assert b"PhoneMaker" in data

    lead_image = images.store_lead_image(images.accept_upload(upload("phone.jpg", data)))

    assert (lead_image.width, lead_image.height) == (1300, 2000)
    for name in [lead_image.file.name, *lead_image.renditions.values_list("file", flat=True)]:
        with default_storage.open(name, "rb") as stored:
            raw = stored.read()
        assert b"PhoneMaker" not in raw and b"CameraApp" not in raw
        with Image.open(io.BytesIO(raw)) as opened:
            assert not opened.getexif(), name
            assert "exif" not in opened.info and "xmp" not in opened.info


def test_renditions_are_made_once_and_recorded(media, client):
    accepted = images.accept_upload(upload("pic.jpg", picture_bytes(size=(2400, 1600))))
    lead_image = images.store_lead_image(accepted)

    made = {r.spec: r for r in Rendition.objects.filter(lead_image=lead_image)}
    assert set(made) == set(images.SPECS)
    files = stored_files(media)
    assert len(files) == 1 + len(images.SPECS)
    stamps = {name: os.stat(media / name).st_mtime_ns for name in files}

    # Each recorded rendition is what the page computes, and the file really has that size.
    for spec, rendition in made.items():
        shown = images.picture(lead_image, spec)
        assert rendition.file.name == images.rendition_name(lead_image, spec)
        assert (rendition.width, rendition.height) == (shown.width, shown.height)
        with default_storage.open(rendition.file.name, "rb") as f, Image.open(f) as opened:
            assert opened.size == (rendition.width, rendition.height)

    # Again, the same upload again, and pages: nothing is encoded or written a second time.
    assert images.make_renditions(lead_image) == []
    assert (
        images.store_lead_image(
            images.accept_upload(upload("again.jpg", picture_bytes(size=(2400, 1600))))
        )
        == lead_image
    )
    article = make_article(lead_image=lead_image, lead_image_alt="A yellow disc on blue.")
    for _ in range(3):
        assert client.get(article.get_absolute_url()).status_code == 200
    assert Rendition.objects.count() == len(images.SPECS)
    assert LeadImage.objects.count() == 1
    assert {name: os.stat(media / name).st_mtime_ns for name in stored_files(media)} == stamps


def test_crops_have_the_promised_shapes_and_sizes(media):
    lead_image = images.store_lead_image(
        images.accept_upload(upload("pic.jpg", picture_bytes(size=(1200, 675))))
    )
    sizes = {r.spec: (r.width, r.height) for r in lead_image.renditions.all()}
    assert sizes["og"] == (1200, 630)
    assert sizes["16x9"] == (1200, 675)
    assert sizes["4x3"] == (900, 675)
    assert sizes["1x1"] == (675, 675)
    assert sizes["w480"] == (480, 270)
    for spec in ("16x9", "4x3", "1x1"):
        width, height = sizes[spec]
        assert width * height >= 50_000


def test_a_transparent_png_keeps_its_transparency(media):
    data = picture_bytes("PNG", (1400, 800), mode="RGBA")
    lead_image = images.store_lead_image(
        images.accept_upload(upload("logo.png", data, "image/png"))
    )
    assert lead_image.has_alpha and lead_image.format == "PNG"
    name = images.rendition_name(lead_image, "w480")
    assert name.endswith(".png")
    with default_storage.open(name, "rb") as f, Image.open(f) as opened:
        assert opened.mode == "RGBA"


def test_alt_text_is_required_by_the_database_too(media):
    lead_image = images.store_lead_image(images.accept_upload(upload("p.jpg", picture_bytes())))
    with pytest.raises(ValidationError):  # the write path says so first
        make_article(lead_image=lead_image, lead_image_alt="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(
            headline="No alt", slug="no-alt", dek="d", lead_image=lead_image, lead_image_alt=""
        )


# Through the admin, and on the page.


def change_form(client, article):
    url = reverse("admin:articles_article_change", args=[article.pk])
    return url, FormReader(client.get(url).content.decode(), "article_form")


def test_editor_uploads_a_lead_image_and_readers_see_it(client, editor, media):
    article = make_article("A picture story", status=Article.Status.DRAFT)
    client.force_login(editor)
    url, form = change_form(client, article)
    post = form.as_post(
        lead_image_alt="A robot arm sorting parcels.",
        lead_image_caption="The sorting line in Lyon.",
        lead_image_credit="Photo: Ana Ruiz",
        _save="Save",
    )
    post["lead_image_upload"] = upload(
        "arm.webp", picture_bytes("WEBP", (1800, 1200)), "image/webp"
    )
    response = client.post(url, post)
    assert response.status_code == 302, response.context["errors"]

    article.refresh_from_db()
    assert article.lead_image.format == "WEBP" and article.lead_image.uploaded_by == editor
    assert article.lead_image.renditions.count() == len(images.SPECS)

    html = client.get(article.get_absolute_url()).content.decode()  # staff preview
    small = images.picture(article.lead_image, "w480")
    large = images.picture(article.lead_image, "w1200")
    assert f'src="{large.url}"' in html and f"{small.url} 480w" in html
    assert f'width="{large.width}" height="{large.height}"' in html
    assert 'alt="A robot arm sorting parcels."' in html and 'loading="eager"' in html
    assert "The sorting line in Lyon." in html and "Photo: Ana Ruiz" in html
    assert large.url.startswith("/media/lead-images/")


def test_a_refused_upload_keeps_everything_typed_and_changes_nothing(client, editor, media):
    article = make_article("Before", status=Article.Status.DRAFT)
    client.force_login(editor)
    url, form = change_form(client, article)
    post = form.as_post(headline="After", lead_image_alt="Something", _save="Save")
    post["lead_image_upload"] = upload("fake.png", b"GIF89a not really", "image/png")
    response = client.post(url, post)

    assert response.status_code == 200
    html = response.content.decode()
    assert "“fake.png” is not a picture" in html
    assert 'value="After"' in html and 'value="Something"' in html
    article.refresh_from_db()
    assert article.headline == "Before" and article.lead_image is None
    assert LeadImage.objects.count() == 0 and stored_files(media) == []


def test_an_image_without_alt_text_is_refused_and_the_editor_told_to_choose_it_again(
    client, editor, media
):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    url, form = change_form(client, article)
    post = form.as_post(_save="Save")
    post["lead_image_upload"] = upload("ok.jpg", picture_bytes())
    response = client.post(url, post)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "alt text is required with a lead image" in errors["lead_image_alt"][0]
    assert "choose it again" in errors["lead_image_upload"][0]
    assert LeadImage.objects.count() == 0


def test_removing_the_image_keeps_the_file_for_older_revisions(client, editor, media):
    lead_image = images.store_lead_image(images.accept_upload(upload("p.jpg", picture_bytes())))
    article = make_article(
        status=Article.Status.DRAFT, lead_image=lead_image, lead_image_alt="A disc."
    )
    client.force_login(editor)
    url, form = change_form(client, article)
    response = client.post(url, form.as_post(remove_lead_image="on", _save="Save"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.lead_image is None
    assert default_storage.exists(lead_image.file.name)


def test_link_previews_and_json_ld_use_the_lead_image_crops(client, media):
    lead_image = images.store_lead_image(
        images.accept_upload(upload("p.jpg", picture_bytes(size=(2000, 1500))))
    )
    article = make_article(lead_image=lead_image, lead_image_alt="Two engineers at a bench.")
    page = read_page(client.get(article.get_absolute_url()))

    og = page.first("og:image")
    assert og == "http://testserver" + images.picture(lead_image, "og").url
    assert (page.first("og:image:width"), page.first("og:image:height")) == ("1200", "630")
    assert page.first("og:image:alt") == "Two engineers at a bench."
    assert page.first("twitter:image") == og
    assert page.first("twitter:image:alt") == "Two engineers at a bench."
    assert stored_size(og) == (1200, 630)

    news = next(d for d in map(json.loads, page.json_ld) if d["@type"] == "NewsArticle")
    ratios = []
    for image in news["image"]:
        assert image["@type"] == "ImageObject"
        assert image["width"] * image["height"] >= 50_000
        assert stored_size(image["url"]) == (image["width"], image["height"])
        ratios.append(round(image["width"] / image["height"], 2))
    assert ratios == [1.78, 1.33, 1.0]


def test_without_a_lead_image_pages_keep_the_site_card(client):
    page = read_page(client.get(make_article().get_absolute_url()))
    assert page.first("og:image").endswith(".png") and "/static/" in page.first("og:image")
    assert page.first("twitter:image:alt") is None


def stored_size(url):
    name = url.removeprefix("http://testserver/media/")
    with default_storage.open(name, "rb") as f, Image.open(f) as opened:
        return opened.size


def test_lists_show_the_small_rendition_lazily_without_extra_queries(
    client, media, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    lead_image = images.store_lead_image(images.accept_upload(upload("p.jpg", picture_bytes())))
    for n in range(3):
        make_article(f"Plain {n}", hours_ago=10 + n)
    client.get("/")  # the header's topics, cached from here on
    with django_assert_num_queries(3):  # page, bylines, topics (the front page counts nothing)
        client.get("/")
    pictured = make_article(
        "Pictured", hours_ago=20, lead_image=lead_image, lead_image_alt="A disc on blue."
    )
    make_article("Newest", hours_ago=1)  # so the pictured story is below the lead
    client.get("/")  # the header's topics again (new articles changed the content)
    with django_assert_num_queries(3):  # the lead image is joined, not queried
        html = client.get("/").content.decode()
    small = images.picture(lead_image, "w480")
    tag = html[html.index('<img class="story-image"') :]
    tag = tag[: tag.index(">") + 1]
    assert f'src="{small.url}"' in tag and 'loading="lazy"' in tag
    assert f'width="{small.width}" height="{small.height}"' in tag
    assert 'alt="A disc on blue."' in tag and " 1200w" in tag
    assert html.index("A disc on blue.") > html.index("Newest")
    assert pictured.get_absolute_url() in html


# Whole pictures, in sRGB.


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
    assert LeadImage.objects.count() == 0 and stored_files(media) == []


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
    url, form = change_form(client, article)
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


@pytest.mark.parametrize(
    "profile",
    [
        ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
        b"not a colour profile at all" * 20,  # unreadable: ignored, as browsers do
    ],
    ids=["srgb", "unreadable"],
)
def test_pixels_already_meant_as_srgb_keep_their_colours(media, profile):
    data = picture_bytes("PNG", (1600, 900), icc_profile=profile)
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
