"""Builders for every test: articles saved through the write path (articles/services.py, as the
admin and the demo content save them), authors, topics, subscribers, staff, pictures."""

import io
import itertools
import struct
import zlib
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from articles import services
from articles.models import Article, Author, Topic
from newsletter.models import Subscriber

_serial = itertools.count(1)


# The newsroom -------------------------------------------------------------------------------


def make_topic(name=None, *, description="", in_navigation=True, position=0):
    name = name or f"Topic {next(_serial)}"
    return Topic.objects.create(
        name=name,
        slug=_free_slug(Topic, name),
        description=description,
        in_navigation=in_navigation,
        position=position,
    )


def make_author(name=None, *, bio="", user=None):
    name = name or f"Author {next(_serial)}"
    return Author.objects.create(name=name, slug=_free_slug(Author, name), bio=bio, user=user)


def _free_slug(model, name):
    slug = slugify(name)
    return f"{slug}-{next(_serial)}" if model.objects.filter(slug=slug).exists() else slug


def _author(author):
    """An Author, or one found or made by name."""
    if isinstance(author, Author):
        return author
    return Author.objects.get_or_create(slug=slugify(author), defaults={"name": author})[0]


def _sections(sections, bullets):
    """(lead-in, sentence, [bullets]) triples: as given, or that many numbered ones."""
    if not isinstance(sections, int):
        return sections
    return [
        (
            f"Lead-in {n}",
            f"Sentence of section {n}.",
            [f"Bullet {n}.{b}" for b in range(1, bullets + 1)],
        )
        for n in range(1, sections + 1)
    ]


def make_article(
    headline=None,
    *,
    hours_ago=1,
    draft=False,
    status=None,
    published_at=None,
    updated_hours_ago=None,
    sections=1,
    bullets=3,
    authors=(),
    topics=(),
    picks=(),
    summary_lead="The short version",
    summary="A short summary of what happened.",
    **fields,
):
    """A whole article in the house format, published `hours_ago` hours ago (negative:
    scheduled), or a draft. `sections` is a number of numbered sections of `bullets` bullets,
    or (lead-in, sentence, [bullets]) triples; `authors` are Authors or names."""
    serial = next(_serial)
    headline = headline or f"Headline number {serial}"
    status = status or (Article.Status.DRAFT if draft else Article.Status.PUBLISHED)
    now = timezone.now()
    if published_at is None and status == Article.Status.PUBLISHED:
        published_at = now - timedelta(hours=hours_ago)
    if updated_hours_ago is not None:
        fields["updated_at"] = now - timedelta(hours=updated_hours_ago)
    fields.setdefault("slug", _free_slug(Article, headline[:190]))
    fields.setdefault("dek", f"One sentence about story {serial}.")
    return services.article_create(
        headline=headline,
        status=status,
        published_at=published_at,
        summary_lead=summary_lead,
        summary=summary,
        sections=_sections(sections, bullets),
        authors=[_author(author) for author in authors],
        topics=topics,
        picks=picks,
        **fields,
    )


# Staff ----------------------------------------------------------------------------------------


def editor_user(django_user_model, username="edna"):
    user = django_user_model.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def writer_user(django_user_model, username="wes"):
    user = django_user_model.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name="Writers"))
    return user


# Subscribers --------------------------------------------------------------------------------

SubscriberStatus = Subscriber.Status


def make_subscriber(address, status=SubscriberStatus.CONFIRMED):
    now = timezone.now()
    return Subscriber.objects.create(
        email=address,
        status=status,
        confirmed_at=now if status == SubscriberStatus.CONFIRMED else None,
        unsubscribed_at=now if status == SubscriberStatus.UNSUBSCRIBED else None,
    )


def audience(confirmed=5, pending=2, unsubscribed=2):
    """Confirmed readers plus people the digest must never reach."""
    readers = [make_subscriber(f"reader{i}@example.com") for i in range(confirmed)]
    others = [
        make_subscriber(f"pending{i}@example.com", SubscriberStatus.PENDING) for i in range(pending)
    ]
    others += [
        make_subscriber(f"gone{i}@example.com", SubscriberStatus.UNSUBSCRIBED)
        for i in range(unsubscribed)
    ]
    return readers, others


# Pictures (real files, made with Pillow) -------------------------------------------------------


def media_folder(settings, tmp_path):
    """Uploaded files go to a folder of this test's own; returns that folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def picture(size=(1600, 900), *, mode="RGB"):
    """A picture with shapes in it (so crops and resizes have something to keep)."""
    image = Image.new(mode, size, (30, 60, 120, 255) if mode == "RGBA" else (30, 60, 120))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.ellipse((width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=(240, 200, 40))
    draw.rectangle((0, 0, width // 10, height), fill=(200, 30, 30))
    return image


def picture_bytes(fmt="JPEG", size=(1600, 900), *, mode="RGB", **options):
    out = io.BytesIO()
    picture(size, mode=mode).save(out, fmt, **options)
    return out.getvalue()


def camera_exif():
    """EXIF a phone would write: maker, model, software and a GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x0131] = "CameraApp 3.1"  # Software
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}  # GPS
    return exif


def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _chunk(kind, data):
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def bomb_png(width=100_000, height=100_000):
    """A PNG of a few dozen bytes whose header declares `width` × `height` pixels: decoding it
    would need tens of gigabytes (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 16)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def short_png(width=8000, height=5000, *, rows=2):
    """A PNG whose header declares `width` × `height` pixels but whose compressed pixel data,
    complete and valid, stops after `rows` rows (about a hundred bytes for 40 megapixels)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress((b"\x00" + b"\x80" * (3 * width)) * rows, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def interlaced_png(width, height, *, passes=7):
    """A grey PNG with Adam7 interlacing (Pillow writes none), whose data holds the first
    `passes` of its seven passes."""
    starts = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2))
    raw = b""
    for x, y, dx, dy in (*starts, (0, 1, 1, 2))[:passes]:
        columns, rows = -(-(width - x) // dx), -(-(height - y) // dy)
        if width > x and height > y:
            raw += (b"\x00" + b"\x80" * columns) * rows
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 1)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw))
        + _chunk(b"IEND", b"")
    )


def _s15(value):
    return struct.pack(">i", round(value * 65536))


def _xyz(x, y, z):
    return b"XYZ " + bytes(4) + _s15(x) + _s15(y) + _s15(z)


def linear_rgb_profile():
    """An ICC v2 display profile with sRGB's primaries and a straight tone curve (gamma 1.0),
    as linear-light exports carry: a mid grey 128 in it is a much lighter grey, 188, in sRGB."""
    text = b"Linear RGB (test)\0"
    curve = b"curv" + bytes(4) + struct.pack(">IH", 1, 0x0100) + bytes(2)
    tags = {
        b"desc": b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(78),
        b"wtpt": _xyz(0.9642, 1.0, 0.8249),
        b"rXYZ": _xyz(0.4361, 0.2225, 0.0139),
        b"gXYZ": _xyz(0.3851, 0.7169, 0.0971),
        b"bXYZ": _xyz(0.1431, 0.0606, 0.7141),
        b"rTRC": curve,
        b"gTRC": curve,
        b"bTRC": curve,
    }
    table, data = b"", b""
    offset = 128 + 4 + 12 * len(tags)
    for signature, body in tags.items():
        body += bytes(-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    header = (
        struct.pack(">I", offset + len(data))
        + bytes(4)
        + struct.pack(">I", 0x02100000)  # version 2.1
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
        + b"acsp"
        + bytes(28)
        + _s15(0.9642)  # the PCS illuminant, D50
        + _s15(1.0)
        + _s15(0.8249)
        + bytes(48)
    )
    return header + struct.pack(">I", len(tags)) + table + data
