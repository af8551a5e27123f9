"""Background work on articles, through django.tasks (inline by default, a worker in production)."""

from django.tasks import task

from articles import rendering
from articles.models import Article

BATCH = 100


@task
def render_articles_showing(kind, pk):
    """Render again the pages of the published articles that show a renamed author or topic
    (`kind` "author" or "topic"), a batch at a time, newest first: until it gets to one, that
    article's first reader renders it (they were marked stale in the renaming transaction)."""
    articles = Article.objects.filter(status=Article.Status.PUBLISHED)
    if kind == "author":
        articles = articles.filter(bylines__author_id=pk)
    else:
        articles = articles.filter(topics__id=pk)
    ids = list(articles.order_by("-published_at", "-pk").values_list("pk", flat=True))
    rendered = 0
    for start in range(0, len(ids), BATCH):
        for article in rendering.for_rendering().filter(pk__in=ids[start : start + BATCH]):
            if not rendering.is_current(article):
                read_as = article.rendered_for
                rendering.render(article)
                rendering.store(article, read_as=read_as)
                rendered += 1
    return rendered
