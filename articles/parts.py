"""An article's own parts of its page, rendered once per version.

Most of an article page depends only on the article: the <head> metadata with its JSON-LD,
the header (headline, byline, correction notice, lead image, the newsletter pitch) and the body
(summary, sections, take, corrections). They are rendered from articles/_article_parts.html
once per `Article.version` (which every write moves on, articles/services.py) and kept in
Django's cache; a page view then reads the few columns of the article's row the frame shows
(`for_frame()`), one cache entry and Recent News, and renders only the frame around them. This
is what keeps a page-cache miss within its target (`make bench`, bench/RESULTS.md): rendering
the parts costs five more queries and most of the template work of the page.
"""

from django.core.cache import cache
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string

from articles.models import Article, RelatedPick
from articles.models.article import page_prefetches
from articles.page_cache import templates_version

PARTS_TEMPLATE = "articles/_article_parts.html"
# Every template the parts are made of: an edit to any of them (a deploy) renders them anew.
# tests/test_article_parts.py checks that the list names every template the parts include.
TEMPLATES = (
    PARTS_TEMPLATE,
    "articles/_article_meta.html",
    "articles/_meta.html",
    "articles/_article_byline.html",
    "articles/_article_corrections.html",
    "articles/_article_image.html",
    "articles/_article_section.html",
    "newsletter/_pitch.html",
)
# Other changes to what the parts show (a setting such as SITE_URL, the code building the
# metadata) reach every page within this time.
PARTS_SECONDS = 3600


def render_parts(request, article):
    """The parts of `article` as it is now (for previews: never cached). `article` may come
    with `for_page()`'s prefetches or without them."""
    picks = RelatedPick.objects.order_by("position", "pk").only("article_id", "related_id")
    prefetch_related_objects(
        [article], *page_prefetches(), Prefetch("related_picks", queryset=picks)
    )
    context = {"article": article, "request": request}
    parts = {
        part: render_to_string(f"{PARTS_TEMPLATE}#{part}", context, request)
        for part in ("head", "header", "body")
    }
    parts["topic_ids"] = [topic.pk for topic in article.topics.all()]
    parts["pick_ids"] = [pick.related_id for pick in article.related_picks.all()]
    return parts


def article_parts(request, article):
    """The parts of a published `article` (its row read by `for_frame()`: the version is what
    matters), from the cache, or rendered from its whole row and kept."""
    key = f"article-parts:{article.pk}:{article.version}:{templates_version(*TEMPLATES)}"
    parts = cache.get(key)
    if parts is None:
        row = Article.objects.for_row().filter(pk=article.pk).first() or article
        parts = render_parts(request, row)
        # An edit saved since the frame's row was read: show it, but never under the old
        # version's key (the next view reads the new version and keeps its own parts).
        if row.version == article.version:
            cache.set(key, parts, PARTS_SECONDS)
    return parts
