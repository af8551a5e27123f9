from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from articles.access import staff_viewer
from articles.models import Article
from articles.recent import recent_news


def article(request, slug):
    """One article in the house format.

    Template: articles/article.html; context: `article`, `recent_news`, and for staff looking
    at an article readers cannot see yet, `preview` and `edit_url`. A live article never reads
    the session, so its page is the same for every reader.
    """
    try:
        article = Article.objects.published().for_page().get(slug=slug)
    except Article.DoesNotExist:
        return _not_live(request, slug)
    context = {"article": article, "recent_news": recent_news(article)}
    return render(request, "articles/article.html", context)


def _not_live(request, slug):
    """A draft or scheduled article for staff, an old address, or 404."""
    viewer = staff_viewer(request)
    can_preview = viewer is not None and viewer.has_perm("articles.view_article")
    if can_preview:
        draft = Article.objects.for_page().filter(slug=slug).first()
        if draft is not None:
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
