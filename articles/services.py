"""The write path: every change to what readers see of an article comes through here.

The admin, corrections, "Publish now", the demo content and the tests all call these
functions, so every change is finished the same way, by `article_saved()`:
- the derived copy of the sections' words that search reads is rewritten;
- the article gets a new `version` (cached copies of its parts are keyed by it);
- an address readers may have kept keeps working (old slugs answer 301) and is never taken
  by another article;
- once the transaction commits, readers' caches are told (`page_cache.content_changed`) and
  other apps hear `articles.signals.article_changed` (the only place either is announced).
"""

import uuid
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles import page_cache
from articles.models import Article, Byline, RelatedPick, Section, SlugRedirect
from articles.search import refresh_search_text
from articles.signals import article_changed

Status = Article.Status


class PublicationRefused(Exception):
    """The article lacks parts the house format needs; `missing` names them in words."""

    def __init__(self, article, missing):
        self.article = article
        self.missing = missing
        super().__init__(f"“{article}” needs {' and '.join(missing)}.")


@dataclass(frozen=True)
class Before:
    """What readers could see of an article before a change (`None` stands for a new one)."""

    slug: str
    public: bool  # published, live or scheduled
    live: bool


def state_of(article):
    """The stored state of `article` before it is changed (None for an unsaved one)."""
    if article.pk is None:
        return None
    stored = Article.objects.filter(pk=article.pk).only("slug", "status", "published_at").first()
    if stored is None:
        return None
    return Before(stored.slug, stored.status == Status.PUBLISHED, stored.is_live)


def slug_holder(slug, article=None):
    """The other article `slug` is an old address of, or None: an old address belongs to its
    article until an editor releases it (deletes it under "Old addresses")."""
    redirect = SlugRedirect.objects.filter(old_slug=slug).select_related("article").first()
    if redirect is None or (article is not None and redirect.article_id == article.pk):
        return None
    return redirect.article


def check_slug(slug, article=None):
    holder = slug_holder(slug, article)
    if holder is not None:
        raise ValidationError(
            f"/news/{slug}/ is the old address of “{holder}” and keeps leading readers there. "
            "Choose another slug, or ask an editor to release that address.",
            code="slug_held",
        )


def article_saved(*, article, before):
    """Finish a change to `article` whose row and parts (sections, byline, topics, picks,
    corrections) are saved; `before` is `state_of()` from before the change."""
    check_slug(article.slug, article)
    refresh_search_text(article)
    _keep_old_address(article, before)
    article.version = uuid.uuid4()
    Article.objects.filter(pk=article.pk).update(version=article.version)
    _announce(article, before)


def _keep_old_address(article, before):
    # The article's current slug is its own again if it was one of its old addresses.
    SlugRedirect.objects.filter(old_slug=article.slug, article=article).delete()
    if before is not None and before.public and before.slug != article.slug:
        SlugRedirect.objects.update_or_create(old_slug=before.slug, defaults={"article": article})


def _announce(article, before):
    was_public = before is not None and before.public
    if article.status == Status.PUBLISHED:
        change = (
            "updated" if before is not None and before.live and article.is_live else "published"
        )
    elif was_public:
        change = "unpublished"
    else:
        return  # a draft stayed a draft: nothing readers see changed
    page_cache.content_changed()
    transaction.on_commit(
        partial(article_changed.send, sender=Article, article_id=article.pk, change=change)
    )


# Whole articles, for code (the demo content, tests, imports); the admin saves through its
# forms and then calls article_saved().


@transaction.atomic
def article_create(
    *,
    headline,
    dek="",
    slug="",
    sections=(),
    authors=(),
    topics=(),
    picks=(),
    status=Status.DRAFT,
    published_at=None,
    **fields,
):
    """A new article with its `sections` ((lead-in, sentence, [bullets]) triples), byline
    (`authors` in order), `topics` and Recent News `picks`. `fields` are other Article
    fields (summary_lead, summary, take, updated_at, lead image fields)."""
    article = Article(
        headline=headline,
        dek=dek,
        slug=slug or slugify(headline)[:200],
        status=status,
        published_at=published_at,
        **fields,
    )
    article.full_clean()
    article.save()
    _write_parts(article, sections=sections, authors=authors, topics=topics, picks=picks)
    article_saved(article=article, before=None)
    return article


@transaction.atomic
def article_update(*, article, sections=None, authors=None, topics=None, picks=None, **fields):
    """Change `fields` of `article` and, when given, replace its sections, byline, topics
    or picks."""
    before = state_of(article)
    if "dek" not in fields and not article.has_own_dek:
        fields["dek"] = ""  # a dek taken from the summary follows it (articles/dek.py)
    for name, value in fields.items():
        setattr(article, name, value)
    article.full_clean()
    article.save()
    _write_parts(article, sections=sections, authors=authors, topics=topics, picks=picks)
    article_saved(article=article, before=before)
    return article


def article_sections_write(*, article, sections):
    """Replace `article`'s sections with `sections` ((lead-in, sentence, [bullets]) triples),
    as the desk does on each save of the article's text; `article_saved()` finishes it."""
    _write_parts(article, sections=sections, authors=None, topics=None, picks=None)


def _write_parts(article, *, sections, authors, topics, picks):
    if sections is not None:
        article.sections.all().delete()
        for position, (lead_in, text, bullets) in enumerate(sections, start=1):
            section = Section(
                article=article,
                position=position,
                lead_in=lead_in,
                text=text,
                bullets="\n".join(bullets),
            )
            section.full_clean(exclude=["article"])
            section.save()
    if authors is not None:
        article.bylines.all().delete()
        Byline.objects.bulk_create(
            Byline(article=article, author=author, position=position)
            for position, author in enumerate(authors, start=1)
        )
    if topics is not None:
        article.topics.set(topics)
    if picks is not None:
        article.related_picks.all().delete()
        RelatedPick.objects.bulk_create(
            RelatedPick(article=article, related=related, position=position)
            for position, related in enumerate(picks, start=1)
        )


# Publishing.


@transaction.atomic
def article_publish(*, article, when=None, section_count=None):
    """Make `article` live now, or schedule it for `when` (a time in the future). A live
    article asked to go live now keeps its publish time. Raises PublicationRefused when a
    summary or a section is missing. Returns False when nothing changed."""
    missing = article.missing_for_publication(section_count=section_count)
    if missing:
        raise PublicationRefused(article, missing)
    if when is None and article.is_live:
        return False
    before = state_of(article)
    article.publish(when=when or timezone.now())
    article.save(update_fields=["status", "published_at", "modified_at"])
    article_saved(article=article, before=before)
    return True


@transaction.atomic
def article_unpublish(*, article):
    """Take `article` off the site; its publish time stays for the record."""
    if article.status == Status.DRAFT:
        return False
    before = state_of(article)
    article.unpublish()
    article.save(update_fields=["status", "modified_at"])
    article_saved(article=article, before=before)
    return True


@transaction.atomic
def article_delete(*, article):
    """Delete `article` for good (its sections, byline, picks and corrections with it)."""
    before = state_of(article)
    article_id = article.pk
    article.delete()
    if before is not None and before.public:
        page_cache.content_changed()
        transaction.on_commit(
            partial(article_changed.send, sender=Article, article_id=article_id, change="deleted")
        )


# Authors and topics: their names and addresses are shown on every article that carries them.


@transaction.atomic
def shown_elsewhere_saved(*, instance):
    """An author or topic was saved: the articles showing it are rendered anew."""
    _articles_showing(instance).update(version=uuid.uuid4())
    page_cache.content_changed()


@transaction.atomic
def shown_elsewhere_delete(*, instance):
    """Delete an author (only one without a byline can go) or a topic."""
    _articles_showing(instance).update(version=uuid.uuid4())
    instance.delete()
    page_cache.content_changed()


def _articles_showing(instance):
    if instance._meta.model_name == "author":
        return Article.objects.filter(bylines__author=instance)
    return Article.objects.filter(topics=instance)
