"""The public archive: each edition whose sending started has its own page showing what its
email carried (same headlines and links), with nothing about any recipient; an index lists
those editions only; both are in the sitemap and the footer, and cached like every public
page. Mail goes through a real SMTP server (aiosmtpd)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from newsletter import editions, tokens
from newsletter.models import Edition
from tests.factories import audience, make_article

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"]+)"')


def _h2_links(html):
    """(headline, link) of each story: the <h2> links of the email and of the page."""
    found = re.findall(r'<h2[^>]*>\s*<a href="([^"]+)"[^>]*>([^<]+)</a>', html)
    return [(" ".join(text.split()), href) for href, text in found]  # mail wraps long lines


def _story_links(html):
    """Every link into the site's articles, in order, without fragments."""
    return [href for href in HREF.findall(html) if "/news/" in href]


@pytest.fixture
def sent(smtp_mailer, django_capture_on_commit_callbacks):
    """An edition of three stories (one with a link in a bullet) sent to three readers."""
    first = make_article("Lab ships a small model", hours_ago=3)
    make_article(
        "Regulators publish a checklist",
        hours_ago=2,
        sections=[
            ("What changed", "Rules for buyers.", [f"See [the story]({first.get_absolute_url()})."])
        ],
    )
    make_article("Chip makers & their <queues>", hours_ago=1)
    readers, _ = audience(confirmed=3, pending=1, unsubscribed=1)
    with django_capture_on_commit_callbacks(execute=True):
        edition = editions.build_edition().edition
        editions.send_edition(edition_id=edition.pk)
    smtp_mailer.wait_for(3)
    edition.refresh_from_db()
    return edition, readers, smtp_mailer.messages


def _html_part(message):
    return message.get_body(("html",)).get_content()


def test_the_edition_page_matches_what_was_sent_and_names_no_recipient(client, sent):
    edition, readers, messages = sent
    page = client.get(f"/newsletter/archive/{edition.date.isoformat()}/")
    assert page.status_code == 200
    html = page.content.decode()
    email_html = _html_part(messages[0])
    assert _h2_links(html) == _h2_links(email_html)
    assert [headline for headline, _ in _h2_links(html)] == [
        "Chip makers &amp; their &lt;queues&gt;",
        "Regulators publish a checklist",
        "Lab ships a small model",
    ]
    assert _story_links(html) == _story_links(email_html)
    assert escape(edition.subject) in html
    for reader in readers:
        assert reader.email not in html
        assert tokens.unsubscribe_token(reader) not in html
    assert "/newsletter/unsubscribe/" not in html
    assert ' style="' not in html.split("<main", 1)[1]  # the site's CSP allows no inline style


def test_each_email_links_to_its_edition_page(client, sent):
    edition, _, messages = sent
    address = f"http://testserver/newsletter/archive/{edition.date.isoformat()}/"
    for message in messages:
        assert re.search(rf'<a\s+href="{re.escape(address)}"', _html_part(message))
        assert f"View in browser: {address}" in message.get_body(("plain",)).get_content()
    assert client.get(address).status_code == 200


def test_the_index_lists_sent_editions_only_and_unsent_dates_are_404(
    client, sent, django_capture_on_commit_callbacks
):
    edition, _, _ = sent
    yesterday = edition.date - timedelta(days=1)
    Edition.objects.create(
        date=yesterday, subject="A draft nobody received", cut_off=timezone.now()
    )
    index = client.get("/newsletter/archive/").content.decode()
    assert escape(edition.subject) in index
    assert f'href="/newsletter/archive/{edition.date.isoformat()}/"' in index
    assert "A draft nobody received" not in index
    assert client.get(f"/newsletter/archive/{yesterday.isoformat()}/").status_code == 404
    assert client.get("/newsletter/archive/1999-01-01/").status_code == 404
    assert client.get("/newsletter/archive/2026-2-30/").status_code == 404
    assert client.get("/newsletter/archive/20260101/").status_code == 404


def test_archive_pages_are_cached_public_pages_told_when_an_edition_goes_out(
    client, settings, smtp_mailer, django_capture_on_commit_callbacks, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 300
    make_article("Something new today", hours_ago=1)
    audience(confirmed=1, pending=0, unsubscribed=0)
    empty = client.get("/newsletter/archive/")
    assert "No edition has gone out yet." in empty.content.decode()
    assert "public" in empty["Cache-Control"] and empty.has_header("ETag")
    with django_assert_num_queries(0):
        assert client.get("/newsletter/archive/").content == empty.content

    with django_capture_on_commit_callbacks(execute=True):
        edition = editions.build_edition().edition
        editions.send_edition(edition_id=edition.pk)
    smtp_mailer.wait_for(1)

    listed = client.get("/newsletter/archive/").content.decode()
    assert escape(edition.subject) in listed
    page = client.get(f"/newsletter/archive/{edition.date.isoformat()}/")
    assert "public" in page["Cache-Control"] and not page.cookies
    with django_assert_num_queries(0):
        client.get(f"/newsletter/archive/{edition.date.isoformat()}/")


def test_sitemap_and_footer_lead_to_the_archive(client, sent, django_assert_num_queries):
    edition, _, _ = sent
    # However many articles, topics, authors and editions: a latest-change aggregate and a
    # paginator's count per section (the archive's count reads its list of dates).
    with django_assert_num_queries(8):
        index = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/sitemap-newsletter.xml" in index
    section = client.get("/sitemap-newsletter.xml").content.decode()
    assert "<loc>http://testserver/newsletter/archive/</loc>" in section
    assert f"<loc>http://testserver/newsletter/archive/{edition.date.isoformat()}/</loc>" in section
    footer = client.get("/").content.decode().split('<footer class="site-footer">', 1)[1]
    assert 'href="/newsletter/archive/"' in footer
