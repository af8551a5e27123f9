"""Corrections and updates: how a live article is fixed in the open.

A correction is published on a live article with a date and a short text. It shows at the end
of the article (with a notice under the byline), bumps the article's "Updated on" (and with it
`dateModified` and the feeds' updated time), lists on /corrections/, and goes out in the next
daily digest.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone

from articles import seo, services
from articles.lists import page_param, paginate
from articles.models import Article, Correction
from articles.page_cache import public_page

CORRECTIONS_PER_PAGE = 30


class CorrectionRefused(ValidationError):
    pass


def public_corrections():
    """Corrections readers may see: those on published articles, newest first."""
    return (
        Correction.objects.filter(article__in=Article.objects.published())
        .select_related("article")
        .only(
            "kind",
            "text_html",
            "published_at",
            "article__headline",
            "article__slug",
            "article__status",
            "article__published_at",
        )
        .order_by("-published_at", "-pk")
    )


def corrected_between(since, until, *, exclude=()):
    """Published articles with a correction or update made in (since, until], as (article,
    [those corrections]) pairs, the earliest first; one query. For the digest. When it was made,
    not the date it shows: a correction dated back to last week still goes out once."""
    found = {}
    rows = (
        Correction.objects.filter(
            article__in=Article.objects.published(),
            created_at__gt=since,
            created_at__lte=until,
        )
        .exclude(article_id__in=exclude)
        .select_related("article")
        .defer("article__search_text")
        .order_by("created_at", "pk")
    )
    for correction in rows:
        found.setdefault(correction.article_id, (correction.article, []))[1].append(correction)
    return list(found.values())


def check_publishable(article, published_at):
    """Refuse a correction readers could never see, or one dated in the future."""
    if not article.is_live:
        raise CorrectionRefused(
            "Corrections are for live articles; change a draft or a scheduled article directly.",
            code="correction_not_live",
        )
    if published_at and published_at > timezone.now():
        raise CorrectionRefused(
            "Date a correction today or earlier: it is shown as soon as it is saved.",
            code="correction_in_future",
        )


def article_corrected(*, article, when=None):
    """Tell readers the article changed: "Updated on" moves to `when` (now by default), never
    backwards. Called whenever a correction is added to a live article."""
    when = when or timezone.now()
    if article.updated_at is None or article.updated_at < when:
        article.updated_at = when
        # A real save, so the revision being recorded sees it; the caller finishes the change
        # with services.article_saved().
        article.save(update_fields=["updated_at", "summary_html", "modified_at"])


@transaction.atomic
def correction_publish(
    *, article, text, kind=Correction.Kind.CORRECTION, published_at=None, user=None
):
    """Publish a correction (or an update) on a live article and bump its "Updated on"."""
    check_publishable(article, published_at)
    before = services.state_of(article)
    correction = Correction.objects.create(
        article=article,
        kind=kind,
        text=text,
        published_at=published_at or timezone.now(),
        created_by=user,
    )
    article_corrected(article=article)
    services.article_saved(article=article, before=before)
    return correction


@public_page(page=page_param)
def corrections_page(request):
    """Every correction and update, newest first. Template: articles/corrections.html;
    context: `page` (of Correction, each with its article), `meta`."""
    page = paginate(request, public_corrections(), CORRECTIONS_PER_PAGE)
    path = "/corrections/" if page.number == 1 else f"/corrections/?page={page.number}"
    meta = seo.page_meta(
        title=seo.titled("Corrections", page),
        description=f"Every correction and update {seo.site_name()} has published, newest first.",
        path=path,
    )
    return render(request, "articles/corrections.html", {"page": page, "meta": meta})
