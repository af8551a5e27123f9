"""Generate a large synthetic archive for the benchmarks (never part of the test run).

    DATABASE_URL=postgres://…/newsroom_bench python -m bench.dataset 10000

Brings the archive to exactly N published articles (adding only what is missing, or removing
the newest generated ones a larger earlier run left), each in the house format: 3 sections of
3 bullets, 1-2 authors, 1-2 topics. The text is assembled from a small vocabulary written for
this project, so search has realistic word frequencies.
"""

import os
import random
import sys
from datetime import timedelta

import django

SUBJECTS = [
    "Lattice Labs",
    "Northwind AI",
    "Quillmark",
    "Harbor Robotics",
    "Cobalt Compute",
    "Fernway",
    "Tessellate",
    "Blue Heron Systems",
    "Mosaic Health AI",
    "Kestrel Cloud",
    "Pinecrest Semiconductors",
    "Orchard Data",
    "Signal Vale",
    "Tidewater Research",
]
ACTIONS = [
    "releases",
    "delays",
    "open-sources",
    "prices",
    "audits",
    "benchmarks",
    "shrinks",
    "retrains",
    "licenses",
    "ships",
    "tests",
    "pauses",
]
OBJECTS = [
    "a coding assistant",
    "its multilingual model",
    "an on-device speech model",
    "a robotics control stack",
    "a medical imaging classifier",
    "a search copilot",
    "a chip for inference",
    "an agent framework",
    "its safety evaluations",
    "a translation service",
    "a data-center cooling system",
    "a small reasoning model",
]
ANGLES = [
    "after customer pilots",
    "ahead of new rules",
    "to cut serving costs",
    "amid a talent race",
    "for schools and hospitals",
    "under an open license",
    "following a benchmark dispute",
    "for European customers",
]
SENTENCES = [
    "Engineers say latency fell by a third on commodity hardware.",
    "Regulators asked for documentation of training data sources.",
    "Early customers report fewer hallucinations in long documents.",
    "The company plans a wider rollout over the next quarter.",
    "Analysts expect rivals to match the price within months.",
    "Researchers published an evaluation suite alongside the weights.",
    "Unions want a say in how the tools are deployed at work.",
    "The release notes list known failure modes in plain language.",
    "Energy use per query dropped after a switch to sparse layers.",
    "Independent testers could reproduce most of the headline results.",
]
LEAD_INS = ["What changed", "Why it matters", "The numbers", "What critics say", "What's next"]
TOPICS = ["Models", "Policy", "Research", "Business", "Chips", "Robotics", "Health", "Safety"]
AUTHORS = ["Ines Marlowe", "Tobias Wren", "Priya Castell", "Dara Quinlan", "Mateo Ashby"]


def _text(rng, count):
    return " ".join(rng.choice(SENTENCES) for _ in range(count))


def ensure(total, *, batch=2000, seed=7):
    """Bring the archive to `total` published articles; return how many were added."""
    from django.db import transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from articles.models import Article, Author, Byline, Section, Topic

    topics = [
        Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name, "position": i})[0]
        for i, name in enumerate(TOPICS)
    ]
    authors = [
        Author.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "bio": f"{name} covers AI for us."}
        )[0]
        for name in AUTHORS
    ]
    existing = Article.objects.filter(slug__startswith="bench-").count()
    # Anything else (a publish storm's articles, left by a run that stopped half way) would be
    # the newest stories and change which article the benchmark reads.
    strays = Article.objects.exclude(slug__startswith="bench-").exists()
    if existing > total or strays:
        _trim(total)
        _analyze()
        existing = min(existing, total)
    rng = random.Random(seed + existing)
    now = timezone.now()
    added = 0
    topic_links = Article.topics.through
    while existing + added < total:
        size = min(batch, total - existing - added)
        start = existing + added
        articles = []
        for i in range(start, start + size):
            headline = (
                f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)} {rng.choice(OBJECTS)} "
                f"{rng.choice(ANGLES)}"
            )
            summary = _text(rng, 2)
            articles.append(
                Article(
                    headline=headline,
                    slug=f"bench-{i}-{slugify(headline)[:150]}",
                    dek=_text(rng, 1),
                    summary_lead="The short version",
                    summary=summary,
                    summary_html=summary,
                    take="🧪 Worth watching." if i % 3 == 0 else "",
                    status=Article.Status.PUBLISHED,
                    # Spread over years so lists page through a long archive.
                    published_at=now - timedelta(minutes=30 * (total - i)),
                )
            )
        with transaction.atomic():
            Article.objects.bulk_create(articles, batch_size=500)
            sections, bylines, links = [], [], []
            for article in articles:
                for position in range(3):
                    bullets = [_text(rng, 1) for _ in range(3)]
                    text = _text(rng, 1)
                    sections.append(
                        Section(
                            article=article,
                            position=position,
                            lead_in=LEAD_INS[position],
                            text=text,
                            text_html=text,
                            bullets="\n".join(bullets),
                            bullets_html=bullets,
                        )
                    )
                for position, author in enumerate(rng.sample(authors, rng.choice((1, 1, 2)))):
                    bylines.append(Byline(article=article, author=author, position=position))
                for topic in rng.sample(topics, rng.choice((1, 2))):
                    links.append(topic_links(article_id=article.pk, topic_id=topic.pk))
            Section.objects.bulk_create(sections, batch_size=2000)
            Byline.objects.bulk_create(bylines, batch_size=2000)
            topic_links.objects.bulk_create(links, batch_size=2000)
            _refresh_search_documents(articles, sections)
        added += size
        print(f"  {existing + added:,} / {total:,} articles", file=sys.stderr, flush=True)
    if added:
        _analyze()
    return added


def _trim(total):
    """Delete the generated articles after the first `total` (the page benchmark grows the
    archive to 100,000 at the end of a run; the next run starts from 10,000 again) and every
    article the generator did not make. In SQL, children first: the ORM would load every
    section and byline to delete them."""
    from django.db import connection, transaction

    from articles.models import Article

    extra = list(
        Article.objects.filter(slug__startswith="bench-")
        .order_by("pk")
        .values_list("pk", flat=True)[total:]
    ) + list(Article.objects.exclude(slug__startswith="bench-").values_list("pk", flat=True))
    pointing = [
        (rel.related_model._meta.db_table, rel.field.column)
        for rel in Article._meta.get_fields(include_hidden=True)
        if rel.auto_created and not rel.concrete and rel.field.column  # not a many-to-many
    ]
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table, column in pointing:
            cursor.execute(f"DELETE FROM {quote(table)} WHERE {quote(column)} = ANY(%s)", [extra])  # noqa: S608
        cursor.execute(
            f"DELETE FROM {quote(Article._meta.db_table)} WHERE id = ANY(%s)",  # noqa: S608
            [extra],
        )
    print(f"  removed {len(extra):,} articles", file=sys.stderr, flush=True)


def _analyze():
    """Vacuum what was just filled or emptied, with fresh planner statistics. Until autovacuum
    gets round to it, PostgreSQL plans against the tables it last saw (it can pick, say, a
    nested loop over every article for Recent News), and when autovacuum does get round to it,
    in the middle of a measurement, it takes a core of this machine away from the pages."""
    from django.db import connection

    from articles.models import Article, Byline, Section

    tables = [Article, Section, Byline, Article.topics.through]
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _refresh_search_documents(articles, sections):
    """Fill the stored search text the way the admin save path does, if the model has it."""
    from articles.models import Article

    if not any(f.name == "search_text" for f in Article._meta.get_fields()):
        return
    by_article = {}
    for section in sections:
        by_article.setdefault(section.article_id, []).append(
            " ".join([section.lead_in, section.text, *section.bullets_html])
        )
    for article in articles:
        article.search_text = " ".join(by_article.get(article.pk, []))
    Article.objects.bulk_update(articles, ["search_text"], batch_size=500)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print(f"added {ensure(count):,} articles")
