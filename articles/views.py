from django.shortcuts import get_object_or_404, render

from articles.models import Article


def article(request, slug):
    """One article in the house format. Template: articles/article.html; context: `article`."""
    article = get_object_or_404(Article.objects.published().for_page(), slug=slug)
    return render(request, "articles/article.html", {"article": article})
