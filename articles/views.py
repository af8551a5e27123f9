from django.shortcuts import get_object_or_404, render

from articles.models import Article


def home(request):
    """The front page. Template: articles/home.html; context: `articles`."""
    articles = Article.objects.published().with_byline()[:20]
    return render(request, "articles/home.html", {"articles": articles})


def article(request, slug):
    """One article in the house format. Template: articles/article.html; context: `article`."""
    article = get_object_or_404(Article.objects.published().for_page(), slug=slug)
    return render(request, "articles/article.html", {"article": article})
