"""The public archive: every edition whose sending has started has a page of its own, and an
index lists them newest first.

An edition page shows what its email carries (the same `digest_content()`, so the same
headlines and links) and nothing about any recipient: no address, no unsubscribe token. Both
pages are readers' pages (`@public_page`), cached whole like every public page; starting to
send an edition announces the change (`newsletter.editions.send_edition`), and a sent edition
cannot be edited, so nothing else changes them but the articles they carry, whose write path
announces its own changes.
"""

from dataclasses import replace
from datetime import date as Date

from django.db.models import Max
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from articles import seo
from articles.lists import page_param, paginate
from articles.page_cache import public_page
from articles.sitemaps import SiteSitemap
from newsletter.content import LINK_STYLE, digest_content
from newsletter.models import Edition

EDITIONS_PER_PAGE = 50


def archived():
    """Editions readers may see: sending started (the email is out, or going out)."""
    return Edition.objects.exclude(status=Edition.Status.DRAFT)


def _web(piece):
    """A digest fragment without the inline link style mail clients need: the site's CSP
    allows no inline style, and its stylesheet colours links anyway."""
    return replace(piece, html=piece.html.replace(f' style="{LINK_STYLE}"', ""))


def web_content(content):
    """The edition's DigestContent with every fragment made for a web page."""
    articles = [
        replace(
            article,
            summary=_web(article.summary),
            sections=[
                replace(s, text=_web(s.text), bullets=[_web(b) for b in s.bullets])
                for s in article.sections
            ],
        )
        for article in content.articles
    ]
    corrections = [
        replace(c, notes=[(label, _web(note)) for label, note in c.notes])
        for c in content.corrections
    ]
    return replace(
        content,
        articles=articles,
        intro=[_web(p) for p in content.intro],
        corrections=corrections,
    )


def edition_path(edition):
    return reverse("newsletter:archive-edition", args=[edition.date.isoformat()])


@public_page(page=page_param)
def archive_index(request):
    """Every archived edition, newest first. Template: newsletter/archive/index.html;
    context: `page` (of Edition), `meta`."""
    editions = archived().only("date", "subject", "status").order_by("-date")
    page = paginate(request, editions, EDITIONS_PER_PAGE)
    path = reverse("newsletter:archive")
    meta = seo.page_meta(
        title=seo.titled("Newsletter archive", page),
        description=f"Every edition of the {seo.site_name()} daily newsletter, newest first.",
        path=path if page.number == 1 else f"{path}?page={page.number}",
    )
    return render(request, "newsletter/archive/index.html", {"page": page, "meta": meta})


@public_page()
def archive_edition(request, date):
    """One edition as its email carried it. Template: newsletter/archive/edition.html;
    context: `edition`, `content` (DigestContent), `meta`."""
    try:
        day = Date.fromisoformat(date)
    except ValueError:
        raise Http404("No such edition.") from None
    edition = archived().filter(date=day).first()
    if edition is None or date != day.isoformat():
        raise Http404("No such edition.")
    meta = seo.page_meta(
        title=f"{edition.subject} · {seo.site_name()}",
        description=f"The {seo.site_name()} daily newsletter of {day.day} {day:%B %Y}.",
        path=edition_path(edition),
    )
    context = {"edition": edition, "content": web_content(digest_content(edition)), "meta": meta}
    return render(request, "newsletter/archive/edition.html", context)


class ArchiveSitemap(SiteSitemap):
    """The archive index and every archived edition."""

    def items(self):
        return ["index", *archived().only("date", "started_at").order_by("-date")]

    def location(self, item):
        return reverse("newsletter:archive") if item == "index" else edition_path(item)

    def lastmod(self, item):
        return None if item == "index" else item.started_at

    def get_latest_lastmod(self):
        return archived().aggregate(latest=Max("started_at"))["latest"]
