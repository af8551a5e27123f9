"""Recent News: the four links under every article.

Editor picks come first, then the newest articles sharing a topic, then the newest overall.
Three small queries run every time, each walking the (status, publish time) index from the top
with a LIMIT, so the cost stays the same with a dozen articles or a hundred thousand, and the
page's query count does not depend on how many picks or topics an article has.
"""

from django.db.models import Exists, OuterRef

from articles.models import Article, RelatedPick

RECENT_NEWS_COUNT = 4
LINK_COLUMNS = ("headline", "slug", "dek")


def recent_news(article, *, count=RECENT_NEWS_COUNT):
    """Up to `count` published articles other than `article`, in Recent News order."""
    published = Article.objects.published()
    picks = [
        pick.related
        for pick in RelatedPick.objects.filter(article_id=article.pk, related__in=published)
        .select_related("related")
        .only(*(f"related__{column}" for column in LINK_COLUMNS))
        .order_by("position", "pk")[:count]
    ]
    seen = {article.pk, *(pick.pk for pick in picks)}

    article_topics = Article.topics.through.objects
    shares_topic = article_topics.filter(
        article_id=OuterRef("pk"),
        topic_id__in=article_topics.filter(article_id=article.pk).values("topic_id"),
    )
    newest = published.only(*LINK_COLUMNS).order_by("-published_at", "-pk")
    same_topic = list(newest.filter(Exists(shares_topic)).exclude(pk__in=seen)[:count])
    seen.update(other.pk for other in same_topic)
    latest = list(newest.exclude(pk__in=seen)[:count])

    return (picks + same_topic + latest)[:count]
