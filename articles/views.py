from django.db import connection
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from articles import rendering
from articles.access import staff_viewer
from articles.models import Article
from articles.recent import recent_news
from newsroom.db import planned_cursor


def article(request, slug):
    """One article in the house format.

    Template: articles/article.html; context: `article`, `recent_news`, and for staff looking
    at an article readers cannot see yet, `preview` and `edit_url`. A live article never reads
    the session, so its page is the same for every reader.
    """
    article = live_article(slug)
    if article is None:
        return _not_live(request, slug)
    rendering.ensure_rendered(article)
    context = {"article": article, "recent_news": recent_news(article)}
    return render(request, "articles/article.html", context)


# The live page reads one row: the frame's columns, the stored parts and what their digest is
# made of (not the search text, nor the summary's source). Written out in SQL, with
# `published()`'s rule, because building this query through the ORM cost more than running it
# (and so that PostgreSQL may keep it planned: newsroom.db).
LEFT_OUT = ("summary", "created_at", "modified_at", "search_text")
LIVE_FIELDS = [field for field in Article._meta.concrete_fields if field.name not in LEFT_OUT]
LIVE_COLUMNS = [field.attname for field in LIVE_FIELDS]
LIVE_SQL = (
    f"SELECT {', '.join(field.column for field in LIVE_FIELDS)} FROM articles_article"  # noqa: S608 (model's columns)
    " WHERE slug = %s AND status = %s AND published_at <= %s"
)


def live_article(slug):
    """The published article at `slug` with its stored page parts, or None."""
    if connection.vendor != "postgresql":
        # The quick start's SQLite hands back dates as text: let the ORM convert them.
        return Article.objects.published().defer(*LEFT_OUT).filter(slug=slug).first()
    now = timezone.now()
    with planned_cursor() as cursor:
        cursor.execute(LIVE_SQL, [slug, Article.Status.PUBLISHED, now])
        row = cursor.fetchone()
    return None if row is None else Article.from_db(connection.alias, LIVE_COLUMNS, row)


def _not_live(request, slug):
    """A draft or scheduled article for staff, an old address, or 404."""
    viewer = staff_viewer(request)
    can_preview = viewer is not None and viewer.has_perm("articles.view_article")
    if can_preview:
        draft = rendering.for_rendering().filter(slug=slug).first()
        if draft is not None:
            rendering.render(draft)  # what is saved now, never a stored copy
            context = {
                "article": draft,
                "recent_news": recent_news(draft),
                "preview": True,
                "edit_url": reverse("admin:articles_article_change", args=[draft.pk]),
            }
            response = render(request, "articles/article.html", context)
            # Unpublished words must never land in a shared cache.
            add_never_cache_headers(response)
            return response

    moved = Article.objects.all() if can_preview else Article.objects.published()
    current = moved.filter(old_slugs__old_slug=slug).only("slug").first()
    if current is None:
        raise Http404("No article at this address.")
    return HttpResponsePermanentRedirect(current.get_absolute_url())
