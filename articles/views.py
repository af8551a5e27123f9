from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe

from articles.access import staff_viewer
from articles.models import Article
from articles.page_cache import kept, public_page, templates_version
from articles.parts import article_parts, render_parts
from articles.recent import recent_news

RECENT_NEWS_TEMPLATE = "articles/_article_recent.html"


@public_page()
def article(request, slug):
    """One article in the house format.

    Template: articles/article.html; context: `article` (the columns `for_frame()` reads),
    `parts` (its own parts of the page, articles/parts.py), `recent_news` (its section, kept
    as HTML), and for staff looking at an article readers cannot see yet, `preview` and
    `edit_url`. A live article never reads the session, so its page is the same for every
    reader; an old address answers 301, anything else 404.
    """
    article = Article.objects.published().for_frame().filter(slug=slug).first()
    if article is None:
        return _not_live(request, slug)
    parts = article_parts(request, article)
    # The same for every reader of this version until the next change readers see.
    recent = kept(
        f"recent-news:{article.pk}:{article.version}:{templates_version(RECENT_NEWS_TEMPLATE)}",
        lambda: _recent_news(request, article, parts),
    )
    return _page(request, article, parts, mark_safe(recent))  # noqa: S308 (our template's output)


def _recent_news(request, article, parts):
    """The Recent News section of `article`'s page, as HTML."""
    items = recent_news(article, topic_ids=parts["topic_ids"], pick_ids=parts["pick_ids"])
    return render_to_string(RECENT_NEWS_TEMPLATE, {"recent_news": items}, request)


def _page(request, article, parts, recent, template="articles/article.html", **context):
    context.update(article=article, parts=parts, recent_news=recent)
    return render(request, template, context)


def preview_page(request, article, template="articles/article.html", **context):
    """An article readers cannot see (yet), as it is saved now: never a cached copy."""
    parts = render_parts(request, article)
    recent = _recent_news(request, article, parts)
    return _page(request, article, parts, recent, template, preview=True, **context)


def _not_live(request, slug):
    """A draft or scheduled article for staff, an old address, or 404."""
    viewer = staff_viewer(request)
    can_preview = viewer is not None and viewer.has_perm("articles.view_article")
    if can_preview:
        draft = Article.objects.for_row().filter(slug=slug).first()
        if draft is not None:
            edit_url = reverse("admin:articles_article_change", args=[draft.pk])
            response = preview_page(request, draft, edit_url=edit_url)
            # Unpublished words must never land in a shared cache.
            add_never_cache_headers(response)
            return response

    moved = Article.objects.all() if can_preview else Article.objects.published()
    current = moved.filter(old_slugs__old_slug=slug).only("slug").first()
    if current is None:
        raise Http404("No article at this address.")
    return HttpResponsePermanentRedirect(current.get_absolute_url())
