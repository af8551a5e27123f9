"""Recent News: the four links under every article.

Editor picks come first, then the newest articles sharing a topic, then the newest overall.
One query, whatever the article: up to three LIMITed parts joined with UNION ALL, each walking
an index from the top (the primary key for picks, the publish-time index for the others), so
the cost stays the same with a dozen articles or a hundred thousand. The article's topic and
pick ids come with its stored rendering (articles/rendering.py keeps them current), so the
query needs no join to find them, and a part with nothing to look for is left out. The page
used to spend more here than anywhere else (three queries, each planned on every view); the
ORM cannot express a UNION of LIMITed, ordered parts, hence the SQL, with `published()`'s rule
written out. Ids are ints we stored; they are formatted in as numbers, never as text.

The parts are not made disjoint in SQL (that would need the other parts' results): each later
part fetches twice the count, enough to fill the list after Python drops the article itself
and the articles an earlier part already gave (at most `count` of them).
"""

from django.db import connection
from django.utils import timezone

from articles.models import Article
from articles.rendering import ids

RECENT_NEWS_COUNT = 4
COLUMNS = ("id", "headline", "slug", "dek")  # in the model's field order, as from_db() wants

_PICKS = """SELECT * FROM (
    SELECT a.id, a.headline, a.slug, a.dek, 0 AS part, a.published_at FROM articles_article a
    WHERE a.id IN ({ids}) AND a.status = %s AND a.published_at <= %s
) picks"""
# Each later part is a derived table so it may have its own ORDER BY and LIMIT (SQLite, the
# quick start, allows them only on a whole compound query).
_SAME_TOPIC = """SELECT * FROM (
    SELECT a.id, a.headline, a.slug, a.dek, 1 AS part, a.published_at FROM articles_article a
    WHERE a.status = %s AND a.published_at <= %s AND EXISTS (
        SELECT 1 FROM articles_article_topics t
        WHERE t.article_id = a.id AND t.topic_id IN ({ids})
    )
    ORDER BY a.published_at DESC, a.id DESC LIMIT {limit}
) same_topic"""
_LATEST = """SELECT * FROM (
    SELECT a.id, a.headline, a.slug, a.dek, 2 AS part, a.published_at FROM articles_article a
    WHERE a.status = %s AND a.published_at <= %s
    ORDER BY a.published_at DESC, a.id DESC LIMIT {limit}
) latest"""


def recent_news(article, *, count=RECENT_NEWS_COUNT):
    """Up to `count` published articles other than `article`, in Recent News order, as Article
    instances holding only the columns a link shows. Reads the ids `article` was rendered with
    (a live article's are current once `rendering.ensure_rendered()` has run)."""
    picks, topics = ids(article.recent_pick_ids), ids(article.recent_topic_ids)
    live = [Article.Status.PUBLISHED, connection.ops.adapt_datetimefield_value(timezone.now())]
    limit = 2 * count + 1  # the article itself may be among them
    parts, params = [], []
    if picks:
        parts.append(_PICKS.format(ids=", ".join(map(str, picks))))
        params += live
    if topics:
        parts.append(_SAME_TOPIC.format(ids=", ".join(map(str, topics)), limit=limit))
        params += live
    parts.append(_LATEST.format(limit=limit))
    params += live
    with connection.cursor() as cursor:
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
