"""Recent News: the links under every article.

Editor picks come first, in the editor's order, then the newest articles sharing a topic with
this one, then the newest overall; never the article itself, never one readers cannot see.

Each of the three parts is one small query through `published()`, asked only while there is
room left: one query for most articles (the same topic fills the list), three at most, whatever
the size of the archive, each walking an index from the top and stopping after a few rows. The
article's topic and pick ids come with its cached parts (articles/parts.py). (One query for the
three parts together would need a UNION of LIMITed queries, which the ORM cannot write for
SQLite, or an OR of subqueries, which PostgreSQL answers by reading every article.)
"""

from django.db.models import Exists, OuterRef

from articles import images
from articles.models import Article

RECENT_NEWS_COUNT = 4
# What a link shows: its headline, dek and date, the slug for its address, and its lead
# image's thumbnail (joined to the row, so no query more).
LINK_COLUMNS = ("headline", "slug", "dek", "published_at", *images.LIST_COLUMNS)


def recent_news(article, *, topic_ids, pick_ids, count=RECENT_NEWS_COUNT):
    """Up to `count` published articles other than `article`, in Recent News order, given
    the ids of the article's topics and of its picks (in the editor's order)."""
    others = (
        Article.objects.published()
        .exclude(pk=article.pk)
        .select_related("lead_image")
        .only(*LINK_COLUMNS)
    )
    items = []
    if pick_ids:
        picked = others.in_bulk(pick_ids)
        items = [picked[pk] for pk in pick_ids if pk in picked][:count]
    parts = [others]
    if topic_ids:
        sharing = Article.topics.through.objects.filter(article=OuterRef("pk"), topic__in=topic_ids)
        parts.insert(0, others.filter(Exists(sharing)))
    for part in parts:
        if len(items) == count:
            break
        items += part.exclude(pk__in=[item.pk for item in items])[: count - len(items)]
    return items
