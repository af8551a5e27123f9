"""Corrections and updates: added in the admin to live articles, shown on the page, listed on
/corrections/, and moving the article's "Updated on" (and with it the feeds' updated time)."""

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import corrections, seo
from articles.models import Article, Correction
from tests import factories
from tests.factories import make_article
from tests.readers import FormReader, PageOutline, read_page
from tests.test_articles_page import (
    ARTICLE_PAGE_QUERIES,
    ARTICLE_PARTS_QUERIES,
    RECENT_NEWS_QUERIES,
)

pytestmark = pytest.mark.django_db
editor = pytest.fixture(factories.editor_user, name="editor")
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0


def add_through_admin(client, article, **fields):
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = FormReader(client.get(url).content.decode(), "article_form")
    assert "corrections-TOTAL_FORMS" in dict(form.data)
    # The empty extra row is corrections-0 on an article without corrections.
    index = int(dict(form.data)["corrections-INITIAL_FORMS"])
    changes = {f"corrections-{index}-{name}": value for name, value in fields.items()}
    return client.post(url, form.as_post(_save="Save", **changes))


def test_editor_adds_a_correction_and_readers_see_it(client, editor):
    article = make_article("Chip exports rise", hours_ago=30)
    before = timezone.now()
    dated = timezone.localtime() - timedelta(minutes=5)
    client.force_login(editor)
    response = add_through_admin(
        client,
        article,
        kind="correction",
        published_at_0=dated.date().isoformat(),
        published_at_1=dated.strftime("%H:%M:%S"),
        text="An earlier version gave the rise as **30%**; it was 13%.",
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    correction = Correction.objects.get(article=article)
    assert correction.created_by == editor
    assert (
        correction.text_html
        == "An earlier version gave the rise as <strong>30%</strong>; it was 13%."
    )
    article.refresh_from_db()
    assert article.updated_at >= before and article.shows_update
    client.logout()

    html = client.get(article.get_absolute_url()).content.decode()
    outline = PageOutline(html)
    names = outline.names()
    # "Updated on" in the byline, the notice right under it, the record at the end.
    assert names.index("updated") < names.index("pitch")
    assert 'class="update-note">Corrected on' in html
    assert '<a href="#corrections">See the correction</a>' in html
    assert html.index('id="corrections"') > html.index("Sentence of section 1.")
    assert html.index('id="corrections"') < html.index("</article>")
    assert '<strong class="lead-in">Correction, <time' in html
    assert "it was 13%." in html


def test_corrections_are_offered_only_on_live_articles(client, editor):
    client.force_login(editor)
    for article in (
        make_article(status=Article.Status.DRAFT),
        make_article(published_at=timezone.now() + timedelta(days=1)),
    ):
        html = client.get(reverse("admin:articles_article_change", args=[article.pk])).content
        assert b"corrections-TOTAL_FORMS" not in html
    with pytest.raises(corrections.CorrectionRefused, match="for live articles"):
        corrections.correction_publish(article=make_article(status="draft"), text="Nope.")


def test_a_future_dated_correction_is_refused_and_nothing_changes(client, editor):
    article = make_article()
    client.force_login(editor)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = add_through_admin(
        client,
        article,
        kind="update",
        published_at_0=tomorrow.isoformat(),
        published_at_1="09:00:00",
        text="Not yet.",
    )
    assert response.status_code == 200
    assert "Date a correction today or earlier" in response.content.decode()
    assert "Not yet." in response.content.decode()  # what was typed stays
    assert not Correction.objects.exists()
    article.refresh_from_db()
    assert article.updated_at is None


def test_several_corrections_are_listed_in_order_with_a_count(client):
    article = make_article(hours_ago=50)
    corrections.correction_publish(
        article=article, text="First fix.", published_at=timezone.now() - timedelta(hours=20)
    )
    corrections.correction_publish(
        article=article, kind=Correction.Kind.UPDATE, text="New figures came in."
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Updated on" in html and "See the 2 corrections and updates" in html
    assert html.index("First fix.") < html.index("New figures came in.")


def test_correction_text_is_sanitized(client):
    article = make_article()
    corrections.correction_publish(
        article=article,
        text="<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    section = html[
        html.index('id="corrections"') : html.index("</section>", html.index('id="corrections"'))
    ]
    assert "<script>alert(1)" not in section and "onerror=" not in section.replace(
        "onerror=alert(3)&gt;", ""
    )
    assert 'href="javascript:' not in section and "<a " not in section
    assert "&lt;script&gt;" in section


def test_the_page_costs_the_same_with_or_without_corrections(
    client, no_page_cache, django_assert_num_queries
):
    plain, corrected = make_article(), make_article()
    for n in range(3):
        corrections.correction_publish(article=corrected, text=f"Fix {n}.")
    client.get("/topics/")  # the header's topics, cached for every page
    # Rendering the page's own parts and its Recent News (the first view of a version), then
    # reading them.
    first_view = ARTICLE_PAGE_QUERIES + ARTICLE_PARTS_QUERIES + RECENT_NEWS_QUERIES
    for article in (plain, corrected):
        with django_assert_num_queries(first_view):
            response = client.get(article.get_absolute_url())
        assert response.status_code == 200
    for article in (plain, corrected):
        with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
            response = client.get(article.get_absolute_url())
        assert response.status_code == 200


def test_corrections_page_lists_newest_first_and_only_what_readers_may_see(
    client, no_page_cache, django_assert_num_queries
):
    old = make_article("Old story", hours_ago=100)
    new = make_article("New story", hours_ago=10)
    corrections.correction_publish(
        article=old, text="Older fix.", published_at=timezone.now() - timedelta(hours=50)
    )
    corrections.correction_publish(article=new, text="Newer fix.")
    hidden = make_article("Pulled story", hours_ago=40)
    corrections.correction_publish(article=hidden, text="Fix on a pulled story.")
    hidden.unpublish()
    hidden.save()

    client.get("/corrections/")  # warm the header's topic cache
    with django_assert_num_queries(2):  # the count and the page, articles joined
        response = client.get("/corrections/")
    html = response.content.decode()
    assert html.index("Newer fix.") < html.index("Older fix.")
    assert "Pulled story" not in html and "Fix on a pulled story." not in html
    assert f'href="{new.get_absolute_url()}#corrections"' in html
    assert '<link rel="canonical" href="http://testserver/corrections/">' in html


def test_corrections_page_is_paginated(client, settings, monkeypatch):
    monkeypatch.setattr(corrections, "CORRECTIONS_PER_PAGE", 2)
    article = make_article(hours_ago=30)
    for n in range(3):
        corrections.correction_publish(
            article=article,
            text=f"Fix number {n}.",
            published_at=timezone.now() - timedelta(hours=n),
        )
    first = client.get("/corrections/").content.decode()
    second = client.get("/corrections/", {"page": 2}).content.decode()
    assert "Fix number 0." in first and "Fix number 1." in first and "Fix number 2." not in first
    assert "Fix number 2." in second and "Page 2 of 2" in second
    assert client.get("/corrections/", {"page": 3}).status_code == 404
    assert client.get("/corrections/", {"page": "x"}).status_code == 404


def test_a_corrected_article_is_an_updated_entry_in_the_feeds(client):
    article = make_article("Feed story", hours_ago=30)
    corrections.correction_publish(article=article, text="Fixed a name.")
    article.refresh_from_db()

    atom = ET.fromstring(client.get("/feeds/atom/").content)  # noqa: S314 (our own feed)
    entry = next(e for e in atom.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == "Feed story")
    updated = entry.findtext(f"{ATOM}updated")
    published = entry.findtext(f"{ATOM}published")
    assert updated > published
    assert updated.startswith(timezone.localtime(article.updated_at).strftime("%Y-%m-%dT%H:%M"))


def test_json_ld_carries_each_correction_and_the_new_modified_time(client):
    article = make_article("Structured story", hours_ago=30)
    fix = corrections.correction_publish(
        article=article,
        text="We named the wrong lab; it was **Lab & Co.**",
        published_at=timezone.now() - timedelta(hours=2),
    )
    article.refresh_from_db()
    page = read_page(client.get(article.get_absolute_url()))
    news = next(d for d in map(json.loads, page.json_ld) if d["@type"] == "NewsArticle")

    assert news["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "We named the wrong lab; it was Lab & Co.",
            "datePublished": seo.isotime(fix.published_at),
        }
    ]
    assert news["dateModified"] == seo.isotime(article.updated_at)
    assert news["dateModified"] > news["datePublished"]
    assert page.first("article:modified_time") == news["dateModified"]
