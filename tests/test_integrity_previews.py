"""Shareable previews: links made and revoked in the admin, working without an account until
they expire, never indexed and never cached."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from articles import previews
from articles.models import Article, PreviewLink
from tests import factories
from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db
editor = pytest.fixture(factories.editor_user, name="editor")
writer = pytest.fixture(factories.writer_user, name="writer")


@pytest.fixture
def draft():
    return make_article("Secret launch plans", status=Article.Status.DRAFT, take="🤫 Soon.")


def links_url(article):
    return reverse("admin:articles_article_preview_links", args=[article.pk])


def make_link(article, hours=24):
    return previews.preview_link_make(article=article, lifetime=timedelta(hours=hours))


def assert_private(response):
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_editor_makes_a_link_and_a_stranger_reads_the_draft(client, editor, draft):
    client.force_login(editor)
    response = client.post(links_url(draft), {"lifetime": "1h"}, follow=True)
    link = PreviewLink.objects.get(article=draft)
    assert link.created_by == editor
    assert timedelta(minutes=59) < link.expires_at - link.created_at <= timedelta(hours=1)
    address = f"http://testserver/preview/{link.token}/"
    assert address in " ".join(str(m) for m in response.context["messages"])
    assert address in response.content.decode()  # listed, ready to copy
    client.logout()

    response = client.get(link.get_absolute_url())
    assert response.status_code == 200
    assert_private(response)
    html = response.content.decode()
    assert "<h1>Secret launch plans</h1>" in html
    assert "Preview: not published." in html and "Please do not share it." in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert 'rel="canonical"' not in html and "application/ld+json" not in html
    assert "csrfmiddlewaretoken" not in html


def test_the_preview_shows_the_latest_save(client, draft):
    link = make_link(draft)
    draft.headline = "Launch plans, revised"
    draft.save()
    assert "<h1>Launch plans, revised</h1>" in client.get(link.get_absolute_url()).content.decode()


def test_expired_revoked_and_forged_links_show_nothing(client, editor, draft):
    expired = make_link(draft, hours=1)
    PreviewLink.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - timedelta(hours=2),
        expires_at=timezone.now() - timedelta(hours=1),
    )
    response = client.get(expired.get_absolute_url())
    assert response.status_code == 410 and "has expired" in response.content.decode()
    assert_private(response)

    revoked = make_link(draft)
    client.force_login(editor)
    revoke = reverse("admin:articles_article_preview_link_revoke", args=[draft.pk, revoked.pk])
    assert client.get(revoke).status_code == 405
    client.post(revoke)
    client.logout()
    response = client.get(revoked.get_absolute_url())
    assert response.status_code == 410 and "was withdrawn" in response.content.decode()
    assert "Secret launch plans" not in response.content.decode()

    good = make_link(draft)
    forged_signature = good.token[:-4] + ("AAAA" if not good.token.endswith("AAAA") else "BBBB")
    other = make_article(status=Article.Status.DRAFT)
    # Signed with the right key and salt but never made into a link: no row, no preview.
    unissued = signing.dumps({"a": other.pk, "n": "x"}, salt=previews.SALT)
    wrong_salt = signing.dumps({"a": draft.pk, "n": "x"})
    for token in (forged_signature, unissued, wrong_salt, "nonsense", good.token + "x"):
        response = client.get(f"/preview/{token}/")
        assert response.status_code == 404, token
        assert "Secret launch plans" not in response.content.decode()
        assert_private(response)


def test_the_signature_caps_a_link_at_seven_days_whatever_the_row_says(client, draft):
    eight_days_ago = int(time.time()) - 8 * 86400
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(eight_days_ago)
        )
        link = make_link(draft)
    PreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + timedelta(days=30))
    response = client.get(link.get_absolute_url())
    assert response.status_code == 410 and "has expired" in response.content.decode()


def test_lifetimes_are_the_offered_ones_only(client, editor, draft):
    client.force_login(editor)
    response = client.post(links_url(draft), {"lifetime": "30d"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not PreviewLink.objects.exists()
    with pytest.raises(previews.PreviewRefused, match="7 days at most"):
        make_link(draft, hours=24 * 8)


def test_no_links_for_a_live_article_and_a_link_to_a_published_draft_redirects(
    client, editor, draft
):
    live = make_article()
    with pytest.raises(previews.PreviewRefused, match="is live"):
        make_link(live)
    client.force_login(editor)
    response = client.post(links_url(live), {"lifetime": "1d"}, follow=True)
    assert "This article is live" in response.content.decode()
    client.logout()

    link = make_link(draft)
    draft.publish()
    draft.save()
    response = client.get(link.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    assert_private(response)


def test_the_page_cache_never_keeps_a_preview(client, settings, draft):
    settings.PAGE_CACHE_SECONDS = 300
    link = make_link(draft)
    assert client.get(link.get_absolute_url()).status_code == 200
    PreviewLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    # Revoking through a queryset update sends no signal, so only "never stored" explains this.
    assert client.get(link.get_absolute_url()).status_code == 410


def test_writers_share_their_own_drafts_only(client, writer, draft):
    mine = make_article(status=Article.Status.DRAFT, authors=[make_author(user=writer)])
    client.force_login(writer)
    assert client.post(links_url(mine), {"lifetime": "1d"}).status_code == 302
    assert PreviewLink.objects.filter(article=mine).count() == 1
    assert client.post(links_url(draft), {"lifetime": "1d"}).status_code == 403
    assert not PreviewLink.objects.filter(article=draft).exists()


def test_the_change_form_offers_preview_links_for_unpublished_articles(client, editor, draft):
    client.force_login(editor)
    change = reverse("admin:articles_article_change", args=[draft.pk])
    assert links_url(draft) in client.get(change).content.decode()
    live = make_article()
    change = reverse("admin:articles_article_change", args=[live.pk])
    assert links_url(live) not in client.get(change).content.decode()
