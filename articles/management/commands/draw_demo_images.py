"""Draw the demo articles' lead images into articles/demo/images/ (articles/demo_art.py).

Run it after changing a motif, a palette or an article's `image:` header, and commit the files;
seed_demo only reads them, so the quick start never draws.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from articles import demo_art
from articles.management.commands.seed_demo import DEMO, read_story, slugs


class Command(BaseCommand):
    help = "Draw the demo articles' abstract lead images (the same bytes every time)."
    requires_system_checks = []  # it reads and writes files only, no database

    def add_arguments(self, parser):
        parser.add_argument(
            "--into", type=Path, default=demo_art.IMAGES, help="Folder to write the JPEGs to."
        )

    def handle(self, *args, into, **options):
        into.mkdir(parents=True, exist_ok=True)
        for path in sorted((DEMO / "articles").glob("*.md")):
            slug, fields, _ = read_story(path)
            if "image" not in fields:
                continue
            data = demo_art.draw_picture(slug, fields["image"], slugs(fields["topics"])[0])
            (into / f"{slug}.jpg").write_bytes(data)
            self.stdout.write(f"{slug}.jpg: {len(data) // 1024} KB ({fields['image']})")
