"""Recent News: the four links under every article.

Editor picks come first, then the newest articles sharing a topic, then the newest overall.
One query, whatever the article: up to three LIMITed parts joined with UNION ALL, each walking
an index from the top (the primary key for picks, the publish-time index for the others), so
the cost stays the same with a dozen articles or a hundred thousand. The article's topic and
pick ids come with its stored rendering (articles/rendering.py keeps them current), so the
query needs no join to find them, and a part with nothing to look for is left out. The page
used to spend more here than anywhere else (three queries, each planned on every view); the
ORM cannot express a UNION of LIMITed, ordered parts, hence the SQL, with `published()`'s rule
written out. On PostgreSQL the ids travel as one array parameter, so the statement's text is
the same for every article and newsroom.db.planned_cursor() lets PostgreSQL keep it planned;
elsewhere they are formatted in as numbers (ints we stored, never text).

The parts are not made disjoint in SQL (that would need the other parts' results): each later
part fetches `count + 1` rows, enough to fill the list after Python drops the article itself
and what earlier parts gave. When earlier parts gave k articles, a later part is needed for
`count - k` more, and at most k + 1 of its rows can be repeats: `count + 1` rows in all.
"""

from django.db import connection
from django.utils import timezone

from articles.models import Article
from articles.rendering import ids
from newsroom.db import planned_cursor

RECENT_NEWS_COUNT = 4
COLUMNS = ("id", "headline", "slug", "dek")  # in the model's field order, as from_db() wants

_PICKS = """SELECT * FROM (
    SELECT a.id, a.headline, a.slug, a.dek, 0 AS part, a.published_at FROM articles_article a
    WHERE a.id {among} AND a.status = %s AND a.published_at <= %s
) picks"""
# Each later part is a derived table so it may have its own ORDER BY and LIMIT (SQLite, the
# quick start, allows them only on a whole compound query).
_SAME_TOPIC = """SELECT * FROM (
    SELECT a.id, a.headline, a.slug, a.dek, 1 AS part, a.published_at FROM articles_article a
    WHERE a.status = %s AND a.published_at <= %s AND EXISTS (
        SELECT 1 FROM articles_article_topics t
        WHERE t.article_id = a.id AND t.topic_id {among}
    )
    ORDER BY a.published_at DESC, a.id DESC LIMIT {limit}
) same_topic"""
_LATEST = """SELECT * FROM (
    SELECT a.id, a.headline, a.slug, a.dek, 2 AS part, a.published_at FROM articles_article a
    WHERE a.status = %s AND a.published_at <= %s
    ORDER BY a.published_at DESC, a.id DESC LIMIT {limit}
) latest"""


def _among(ids):
    """SQL for "is one of `ids`", and its parameters."""
    if connection.vendor == "postgresql":
        return "= ANY(%s::bigint[])", [ids]
    return f"IN ({', '.join(str(int(each)) for each in ids)})", []


def recent_news(article, *, count=RECENT_NEWS_COUNT):
    """Up to `count` published articles other than `article`, in Recent News order, as Article
    instances holding only the columns a link shows. Reads the ids `article` was rendered with
    (a live article's are current once `rendering.ensure_rendered()` has run)."""
    picks, topics = ids(article.recent_pick_ids), ids(article.recent_topic_ids)
    live = [Article.Status.PUBLISHED, connection.ops.adapt_datetimefield_value(timezone.now())]
    limit = count + 1
    parts, params = [], []
    if picks:
        among, given = _among(picks)
        parts.append(_PICKS.format(among=among))
        params += [*given, *live]
    if topics:
        among, given = _among(topics)
        parts.append(_SAME_TOPIC.format(among=among, limit=limit))
        params += [*live, *given]
    parts.append(_LATEST.format(limit=limit))
    params += live
    with planned_cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    # UNION ALL promises no order: picks in the editor's order, the others newest first.
    by_part = ([], [], [])
    for row in rows:
        by_part[row[4]].append(row)
    position = {pk: n for n, pk in enumerate(picks)}
    by_part[0].sort(key=lambda row: position[row[0]])
    for newest in by_part[1:]:
        newest.sort(key=lambda row: (row[5], row[0]), reverse=True)
    seen, items = {article.pk}, []
    for row in (*by_part[0], *by_part[1], *by_part[2]):
        if row[0] not in seen:
            seen.add(row[0])
            items.append(Article.from_db(connection.alias, COLUMNS, row[: len(COLUMNS)]))
            if len(items) == count:
                break
    return items
