"""Lead images for the demo articles: original abstract illustrations drawn with Pillow.

A demo article whose header names a motif (`image: orbits`) and its alt text (`image alt: …`)
gets a picture: `manage.py draw_demo_images` draws it into articles/demo/images/<slug>.jpg,
committed with the rest of the demo content, and `seed_demo` stores that file as the article's
lead image through the upload path (articles/images), with the alt text and CREDIT. Each picture
is seeded by its article's slug, so drawing again gives the same bytes; its colours follow the
article's first topic.
"""

import io
import math
import random
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from articles.images import accept_upload, store_lead_image

IMAGES = Path(__file__).resolve().parent / "demo" / "images"
CREDIT = "Illustration: Newsroom demo art, drawn by code"
# The smallest lead image the site takes (articles/images/uploads.py), drawn at twice the size
# and reduced so edges come out smooth; quality 80 keeps each file near 20-60 KB.
SIZE, SCALE, QUALITY = (1200, 675), 2, 80
# By first topic: the sky's top and bottom colours, then three accents.
PALETTES = {
    "models": ((10, 24, 60), (34, 88, 146), ((64, 196, 204), (140, 208, 255), (232, 244, 255))),
    "policy": ((30, 20, 70), (86, 56, 130), ((242, 190, 72), (255, 222, 140), (206, 176, 244))),
    "research": ((8, 46, 42), (28, 108, 90), ((120, 220, 160), (196, 240, 186), (250, 248, 222))),
    "business": ((70, 22, 40), (206, 112, 68), ((255, 180, 96), (255, 118, 96), (255, 228, 176))),
}


def _alpha(colour, alpha):
    return (*colour, alpha)


def ribbons(draw, rng, accents, w, h):
    """Long bands stretching across the picture."""
    for i in range(6):
        base, amp = h * (0.2 + 0.12 * i), h * rng.uniform(0.03, 0.09)
        freq, phase, thick = rng.uniform(1.2, 2.6), rng.uniform(0, 6.3), h * rng.uniform(0.03, 0.06)
        top = [(x, base + amp * math.sin(freq * x / w * 6.3 + phase)) for x in range(0, w + 40, 40)]
        bottom = [(x, y + thick) for x, y in reversed(top)]
        draw.polygon(top + bottom, fill=_alpha(accents[i % 3], rng.randint(110, 200)))


def tiles(draw, rng, accents, w, h):
    """A mosaic of triangles, a few left open."""
    step = w // 12
    for row in range(-1, h // step + 1):
        for col in range(-1, w // step + 2):
            x, y = col * step + (step // 2 if row % 2 else 0), row * step
            for tri in (
                [(x, y), (x + step, y), (x + step / 2, y + step)],
                [(x + step, y), (x + step / 2, y + step), (x + 1.5 * step, y + step)],
            ):
                if rng.random() > 0.15:
                    fill = _alpha(rng.choice(accents[:2]), rng.randint(40, 200))
                    draw.polygon(tri, fill=fill)


def grid(draw, rng, accents, w, h):
    """A ruled grid with a few squares lit."""
    step = w // 16
    for x in range(0, w, step):
        draw.line([(x, 0), (x, h)], fill=_alpha(accents[2], 60), width=SCALE * 2)
    for y in range(0, h, step):
        draw.line([(0, y), (w, y)], fill=_alpha(accents[2], 60), width=SCALE * 2)
    for _ in range(9):
        x, y = rng.randrange(0, w, step), rng.randrange(0, h, step)
        draw.rectangle([x, y, x + step, y + step], fill=_alpha(rng.choice(accents[:2]), 210))


def blocks(draw, rng, accents, w, h):
    """Rows of blocks, like racks in a hall, with small lights."""
    for row, top in enumerate((0.38, 0.56, 0.74)):
        width = w // (7 + row * 2)
        for x in range(-width // 2, w, width):
            y0 = h * top - rng.uniform(0, h * 0.08)
            fill = _alpha(accents[row % 2], 90 + 50 * row)
            draw.rectangle([x + 8, y0, x + width - 8, h], fill=fill)
            for dot in range(rng.randint(2, 5)):
                cy = y0 + 30 * SCALE + dot * 18 * SCALE
                draw.ellipse([x + 20, cy, x + 20 + 6 * SCALE, cy + 6 * SCALE], fill=accents[2])


def orbits(draw, rng, accents, w, h):
    """One large circle ringed by smaller ones."""
    cx, cy, r = w * 0.5, h * 0.5, h * 0.22
    for ring in (1.5, 2.0, 2.6):
        draw.ellipse(
            [cx - r * ring, cy - r * ring, cx + r * ring, cy + r * ring],
            outline=_alpha(accents[2], 90),
            width=SCALE * 2,
        )
        for _ in range(rng.randint(2, 4)):
            angle, small = rng.uniform(0, 6.3), r * rng.uniform(0.12, 0.3)
            x, y = cx + r * ring * math.cos(angle), cy + r * ring * math.sin(angle)
            draw.ellipse([x - small, y - small, x + small, y + small], fill=_alpha(accents[1], 230))
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=_alpha(accents[0], 240))


def steps(draw, rng, accents, w, h):
    """Bars stepping down from left to right."""
    count = 9
    width = w / count
    for i in range(count):
        height = h * (0.85 - i * 0.075) * rng.uniform(0.92, 1.0)
        fill = _alpha(accents[i % 2], 200 - i * 10)
        draw.rounded_rectangle(
            [i * width + 10, h - height, (i + 1) * width - 10, h + 40], radius=14 * SCALE, fill=fill
        )


def frames(draw, rng, accents, w, h):
    """Overlapping picture frames, one with a small tag."""
    boxes = []
    for _ in range(6):
        fw, fh = w * rng.uniform(0.18, 0.3), h * rng.uniform(0.3, 0.5)
        x, y = rng.uniform(0.05, 0.95) * w - fw / 2, rng.uniform(0.15, 0.85) * h - fh / 2
        boxes.append((x, y, x + fw, y + fh))
        draw.rectangle(
            boxes[-1],
            fill=_alpha(accents[2], 40),
            outline=_alpha(accents[0], 220),
            width=10 * SCALE,
        )
    x0, y0, x1, _ = boxes[-1]
    draw.rounded_rectangle(
        [x1 - 90 * SCALE, y0 + 14 * SCALE, x1 - 14 * SCALE, y0 + 44 * SCALE],
        radius=8 * SCALE,
        fill=accents[1],
    )


def rings(draw, rng, accents, w, h):
    """Rings spreading out from a small bright square."""
    cx, cy = w * rng.uniform(0.35, 0.65), h * 0.5
    for i in range(8, 0, -1):
        r = i * h * 0.1
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=_alpha(accents[i % 2], 26))
    s = h * 0.07
    draw.rounded_rectangle(
        [cx - s, cy - s * 1.6, cx + s, cy + s * 1.6], radius=s * 0.4, fill=accents[2]
    )


def circuit(draw, rng, accents, w, h):
    """Traces and nodes around a dark square chip."""
    cx, cy, s = w / 2, h / 2, h * 0.18
    for _ in range(28):
        side = rng.choice((-1, 1))
        y = cy + rng.uniform(-s * 0.9, s * 0.9)
        x_turn = cx + side * (s + rng.uniform(0.1, 0.35) * w)
        y_end = y + rng.uniform(-0.3, 0.3) * h
        points = [(cx + side * s, y), (x_turn, y), (x_turn + side * 60 * SCALE, y_end)]
        draw.line(points, fill=_alpha(accents[rng.randint(0, 1)], 200), width=4 * SCALE)
        x, y = points[-1]
        draw.ellipse([x - 9 * SCALE, y - 9 * SCALE, x + 9 * SCALE, y + 9 * SCALE], fill=accents[2])
    draw.rounded_rectangle(
        [cx - s, cy - s, cx + s, cy + s],
        radius=12 * SCALE,
        fill=(28, 16, 22),
        outline=accents[0],
        width=6 * SCALE,
    )


def waves(draw, rng, accents, w, h):
    """Layered waves under a pale glowing circle."""
    r = h * 0.16
    cx, cy = w * rng.uniform(0.6, 0.8), h * 0.3
    for halo in (2.0, 1.5):
        draw.ellipse(
            [cx - r * halo, cy - r * halo, cx + r * halo, cy + r * halo],
            fill=_alpha(accents[2], 35),
        )
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=_alpha(accents[2], 230))
    for i in range(5):
        base, amp, phase = h * (0.55 + 0.09 * i), h * 0.05, rng.uniform(0, 6.3)
        crest = [(x, base + amp * math.sin(x / w * 9 + phase)) for x in range(0, w + 40, 40)]
        draw.polygon([*crest, (w, h), (0, h)], fill=_alpha(accents[i % 2], 120 + 25 * i))


MOTIFS = {
    f.__name__: f
    for f in (ribbons, tiles, grid, blocks, orbits, steps, frames, rings, circuit, waves)
}


def draw_picture(slug, motif, topic):
    """The JPEG bytes of the illustration for `slug`: `motif` in the colours of `topic`."""
    top, bottom, accents = PALETTES[topic]
    w, h = SIZE[0] * SCALE, SIZE[1] * SCALE
    mask = Image.linear_gradient("L").resize((w, h))
    image = Image.composite(Image.new("RGB", (w, h), bottom), Image.new("RGB", (w, h), top), mask)
    MOTIFS[motif](ImageDraw.Draw(image, "RGBA"), random.Random(slug), accents, w, h)
    out = io.BytesIO()
    image.resize(SIZE, Image.Resampling.LANCZOS).save(
        out, "JPEG", quality=QUALITY, optimize=True, progressive=True
    )
    return out.getvalue()


def lead_image_fields(slug, fields):
    """The lead image fields of a demo article whose header names a picture: the committed
    file stored once (the same bytes are the same LeadImage), its alt text and CREDIT."""
    if "image" not in fields:
        return {}
    path = IMAGES / f"{slug}.jpg"
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="image/jpeg")
    return {
        "lead_image": store_lead_image(accept_upload(upload)),
        "lead_image_alt": fields["image alt"],
        "lead_image_credit": CREDIT,
    }
