"""Reader lists: the front page (the discovery work adds topics, authors and pagination)."""

from django.shortcuts import render

from articles.models import Article


def home(request):
    """The front page. Template: articles/home.html; context: `articles`."""
    articles = Article.objects.published().with_byline()[:20]
    return render(request, "articles/home.html", {"articles": articles})
