"""Builders for the editorial-integrity tests: real picture files made with Pillow, hostile
files, editors, and a private media folder per test (this module has no tests). Test modules
turn the functions taking fixtures into their own fixtures with `pytest.fixture(f, name=…)`."""

import io
import struct
import zlib

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw


def media_folder(settings, tmp_path):
    """Uploaded files go to a folder of this test's own; returns that folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def editor_user(django_user_model):
    user = django_user_model.objects.create_user("edna", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def writer_user(django_user_model):
    user = django_user_model.objects.create_user("wes", is_staff=True)
    user.groups.add(Group.objects.get(name="Writers"))
    return user


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
