"""Demo content for the quick start, read from articles/demo/: the desk's topics and authors
(desk.json) and one file per article: a few header lines, a blank line, then the article's text
in the house grammar editors paste into the desk (articles/document.py). Every company,
product, person and number in them is invented for this project.

Safe to run again: rows are matched by slug and updated, and publish times move so the demo
always looks like the last ten days; lead images are the files drawn by draw_demo_images. It
renders nothing, so it works with DEBUG off before `collectstatic`; everything is saved through
the write path (articles/services.py).
"""

import json
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles import demo_art, document, services
from articles.models import Article, Author, Topic

DEMO = Path(__file__).resolve().parents[2] / "demo"


def read_story(path):
    """(slug, header fields, Document) of one demo file; its name is NN-slug.md."""
    head, _, text = path.read_text(encoding="utf-8").partition("\n\n")
    fields = dict(line.split(": ", 1) for line in head.splitlines())
    return path.stem.split("-", 1)[1], fields, document.parse(text)


def when(text, now):
    """ "10 hours ago", "tomorrow" or "draft" as (status, publish time)."""
    if text == "draft":
        return Article.Status.DRAFT, None
    if text == "tomorrow":
        return Article.Status.PUBLISHED, now.replace(minute=0) + timedelta(days=1)
    return Article.Status.PUBLISHED, now - timedelta(hours=int(text.split()[0]))


def slugs(text):
    return [slug.strip() for slug in text.split(",") if slug.strip()]


class Command(BaseCommand):
    help = "Create or refresh the demo articles, authors and topics (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        now = timezone.now().replace(second=0, microsecond=0)
        desk = json.loads((DEMO / "desk.json").read_text(encoding="utf-8"))
        topics = {}
        for position, data in enumerate(desk["topics"], start=1):
            topics[data["slug"]] = Topic.objects.update_or_create(
                # The desk's own topics are the header's.
                slug=data["slug"],
                defaults={"in_navigation": True, **data, "position": position},
            )[0]
        authors = {
            data["slug"]: Author.objects.update_or_create(slug=data["slug"], defaults=data)[0]
            for data in desk["authors"]
        }
        for shown in (*topics.values(), *authors.values()):
            services.shown_elsewhere_saved(instance=shown)

        stories = [read_story(path) for path in sorted((DEMO / "articles").glob("*.md"))]
        articles = {}
        for slug, fields, text in stories:
            status, published_at = when(fields["published"], now)
            content = {
                "headline": fields["headline"],
                "dek": fields["dek"],
                "status": status,
                "published_at": published_at,
                "updated_at": when(fields["updated"], now)[1] if "updated" in fields else None,
                "summary_lead": text.summary_lead,
                "summary": text.summary,
                "take": text.take,
                "sections": text.section_triples(),
                "authors": [authors[each] for each in slugs(fields["authors"])],
                "topics": [topics[each] for each in slugs(fields["topics"])],
                **demo_art.lead_image_fields(slug, fields),
            }
            if existing := Article.objects.filter(slug=slug).first():
                articles[slug] = services.article_update(article=existing, **content)
            else:
                articles[slug] = services.article_create(slug=slug, **content)
        for slug, fields, _ in stories:
            picks = [articles[each] for each in slugs(fields.get("recent news picks", ""))]
            services.article_update(article=articles[slug], picks=picks)

        live = Article.objects.published().filter(slug__in=articles).count()
        scheduled = Article.objects.scheduled().filter(slug__in=articles).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {len(articles)} articles ({live} live, {scheduled} scheduled, "
                f"{len(articles) - live - scheduled} draft), {len(authors)} authors, "
                f"{len(topics)} topics."
            )
        )
