"""Writes that change what readers see: publishing, unpublishing, moving an article's address."""

from django.db import transaction
from django.utils import timezone

from articles import rendering
from articles.models import Article, SlugRedirect


class PublicationRefused(Exception):
    """The article lacks parts the house format needs; `missing` names them in words."""

    def __init__(self, article, missing):
        self.article = article
        self.missing = missing
        super().__init__(f"“{article}” needs {' and '.join(missing)}.")


def article_publish_now(*, article, section_count=None):
    """Make `article` live now. A live article keeps its publish time; a draft or a scheduled
    one goes live at once. Raises PublicationRefused when a summary or a section is missing."""
    missing = article.missing_for_publication(section_count=section_count)
    if missing:
        raise PublicationRefused(article, missing)
    if article.is_live:
        return False
    article.publish(when=timezone.now())
    article.save(update_fields=["status", "published_at", "modified_at"])
    rendering.refresh(article)  # the byline's date is the new publish time
    return True


def article_unpublish(*, article):
    """Take `article` off the site; its publish time stays for the record."""
    if article.status == Article.Status.DRAFT:
        return False
    article.unpublish()
    article.save(update_fields=["status", "modified_at"])
    return True


@transaction.atomic
def article_slug_changed(*, article, old_slug):
    """Keep `old_slug` answering with a 301 to the article's new address.

    The article's new slug is its own again, so a redirect that used to claim it goes away.
    """
    SlugRedirect.objects.filter(old_slug=article.slug).delete()
    if old_slug and old_slug != article.slug:
        SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": article})
