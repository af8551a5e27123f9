"""The live preview beside the article form (issue 15 item 2): the unsaved form rendered by
the real article template, with nothing saved, for whoever may edit the article."""

import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles.models import Article, Section
from tests import factories
from tests.factories import make_article, make_author, make_topic
from tests.readers import FormReader, PageOutline
from tests.test_articles_admin import add_url, article_data, change_url, section_row

pytestmark = pytest.mark.django_db
editor = pytest.fixture(factories.editor_user, name="editor")
writer = pytest.fixture(factories.writer_user, name="writer")

NEW = "admin:articles_article_live_preview_new"


def preview_of(article):
    return reverse("admin:articles_article_live_preview", args=[article.pk])


def test_the_unsaved_add_form_is_shown_as_the_article_page_and_nothing_is_saved(client, editor):
    client.force_login(editor)
    ada, topic = make_author("Ada Quill"), make_topic("Chips")
    data = article_data(
        headline="A headline typed a moment ago",
        topics=[topic],
        summary_lead="Short version",
        summary="A lab shipped a chip.",
        sections=[section_row(1), section_row(2)],
        take="🧭 Watch the price.",
        bylines=[{"author": ada.pk, "position": 1}],
    )
    before = (Article.objects.count(), Section.objects.count())

    response = client.post(reverse(NEW), data)

    assert response.status_code == 200
    html = response.content.decode()
    outline = PageOutline(html)
    assert outline.texts("headline") == ["A headline typed a moment ago"]
    assert outline.texts("summary") == ["Short version: A lab shipped a chip."]
    assert outline.names().count("section") == 2
    assert outline.texts("take") == ["🧭 Watch the price."]
    assert "Ada Quill" in outline.texts("byline")[0]
    assert "Live preview: not saved." in html
    assert (Article.objects.count(), Section.objects.count()) == before
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_an_edit_of_a_live_article_is_previewed_without_touching_it(client, editor):
    article = make_article("The stored headline", sections=2)
    client.force_login(editor)
    form = FormReader(client.get(change_url(article)).content.decode(), "article_form")
    version, revisions = article.version, Version.objects.count()

    response = client.post(preview_of(article), form.as_post(headline="A better headline"))

    assert PageOutline(response.content.decode()).texts("headline") == ["A better headline"]
    article.refresh_from_db()
    assert (article.headline, article.version) == ("The stored headline", version)
    assert article.sections.count() == 2 and Version.objects.count() == revisions
    assert "The stored headline" in Client().get(article.get_absolute_url()).content.decode()


def test_a_text_that_does_not_fit_is_named_in_the_preview(client, editor):
    client.force_login(editor)
    data = article_data()
    data["text"] = "Lead: Summary.\n\n- A bullet with nowhere to go"
    response = client.post(reverse(NEW), data)
    assert response.status_code == 200
    assert "Line 3: a bullet before any section" in response.content.decode()


def test_the_form_page_carries_the_preview_and_its_script(client, editor):
    client.force_login(editor)
    html = client.get(add_url()).content.decode()
    assert f'data-url="{reverse(NEW)}"' in html
    assert "admin/js/article_preview" in html


def test_only_who_may_edit_the_article_gets_its_preview(client, writer):
    theirs = make_article("Someone else's draft", status=Article.Status.DRAFT)
    client.force_login(writer)
    assert client.post(preview_of(theirs), article_data()).status_code == 403
    assert client.get(reverse(NEW)).status_code == 405
    client.logout()
    assert client.post(reverse(NEW), article_data()).status_code == 302  # to the login page
