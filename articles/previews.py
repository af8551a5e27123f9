"""Shareable previews: an address that shows an unpublished article to someone without an
account, until it expires or an editor revokes it.

The address carries a token signed with the site's key (django.core.signing) and bound to a
PreviewLink row: the signature proves we made it and caps its age at seven days whatever the
database says, the row holds the chosen expiry and lets an editor revoke it. The page shows the
article as last saved, says it is a preview, and is never indexed or cached anywhere.
"""

import secrets
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import localize

from articles.models import Article, PreviewLink
from articles.views import preview_page

SALT = "articles.preview-link"
MAX_LIFETIME = timedelta(days=7)
LIFETIMES = {
    "1h": (timedelta(hours=1), "1 hour"),
    "1d": (timedelta(days=1), "1 day"),
    "7d": (timedelta(days=7), "7 days"),
}


class PreviewRefused(ValidationError):
    pass


class PreviewLinkForm(forms.Form):
    lifetime = forms.ChoiceField(
        label="Works for",
        choices=[(key, label) for key, (_, label) in LIFETIMES.items()],
        initial="1d",
    )

    def chosen_lifetime(self):
        return LIFETIMES[self.cleaned_data["lifetime"]][0]


def when(moment):
    return localize(timezone.localtime(moment))


def absolute_url(link):
    return settings.SITE_URL + link.get_absolute_url()


@transaction.atomic
def preview_link_make(*, article, lifetime, user=None):
    """A new preview link for a draft or scheduled `article`, working for `lifetime`."""
    if article.is_live:
        raise PreviewRefused(
            "This article is live: share its address instead of a preview link.",
            code="preview_live",
        )
    if not timedelta(0) < lifetime <= MAX_LIFETIME:
        raise PreviewRefused("A preview link works for 7 days at most.", code="preview_lifetime")
    # The random part makes every link different; the article id lets a forged row never
    # show another article.
    token = signing.dumps({"a": article.pk, "n": secrets.token_urlsafe(9)}, salt=SALT)
    now = timezone.now()
    return PreviewLink.objects.create(
        article=article, token=token, created_by=user, created_at=now, expires_at=now + lifetime
    )


def preview_link_revoke(*, article, link_id):
    """Stop a link from working; False when it was already revoked (or is not this article's)."""
    return bool(
        PreviewLink.objects.filter(pk=link_id, article=article, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def links_for(article):
    return [(link, absolute_url(link)) for link in article.preview_links.all()]


class LinkUnusable(Exception):
    """Why a preview address shows nothing: `status` 404 (never ours) or 410 (expired, revoked)."""

    def __init__(self, reason, status):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def open_link(token):
    """The PreviewLink behind `token`, or LinkUnusable saying why not."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_LIFETIME)
    except signing.SignatureExpired:
        raise LinkUnusable("expired", 410) from None
    except signing.BadSignature:
        raise LinkUnusable("unknown", 404) from None
    link = PreviewLink.objects.filter(token=token).first()
    if link is None or not isinstance(data, dict) or link.article_id != data.get("a"):
        raise LinkUnusable("unknown", 404)
    if link.revoked_at is not None:
        raise LinkUnusable("revoked", 410)
    if link.expires_at <= timezone.now():
        raise LinkUnusable("expired", 410)
    return link


def _private(response):
    """Never stored by our page cache, a CDN or the browser; never indexed; no Referer out."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def preview(request, token):
    """An unpublished article through a preview link. Template: articles/preview.html; context:
    as the article page's, with `preview`, `preview_banner` and `preview_link`. Unusable links get
    articles/preview_unavailable.html with `reason`."""
    try:
        link = open_link(token)
    except LinkUnusable as unusable:
        context = {"reason": unusable.reason}
        response = render(
            request, "articles/preview_unavailable.html", context, status=unusable.status
        )
        return _private(response)
    article = Article.objects.for_row().get(pk=link.article_id)
    if article.is_live:
        return _private(HttpResponseRedirect(article.get_absolute_url()))
    response = preview_page(
        request,
        article,
        "articles/preview.html",
        preview_banner="articles/_preview_link_banner.html",
        preview_link=link,
    )
    return _private(response)
