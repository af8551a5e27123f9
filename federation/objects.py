"""Which object id a published story has now (see documents: one per publication)."""

from articles.models import Article
from federation.models import Activity

Kind = Activity.Kind


def current_generations(article_ids):
    """{article id: the generation its object id carries now} for published stories."""
    generations = dict.fromkeys(article_ids, 1)
    announcements = (
        Activity.objects.filter(article_id__in=article_ids, kind__in=[Kind.CREATE, Kind.DELETE])
        .exclude(status=Activity.Status.WITHDRAWN)
        .order_by("pk")
        .values_list("article_id", "kind", "generation")
    )
    for article_id, kind, generation in announcements:
        # After a Delete the story, if it is public again, is a new object.
        generations[article_id] = generation if kind == Kind.CREATE else generation + 1
    return generations


def story(pk):
    """(article read for its object, generation) for a published story, or None."""
    article = Article.objects.published().for_page().filter(pk=pk).first()
    if article is None:
        return None
    return article, current_generations([pk])[pk]
