"""An old address belongs to its article (issue 14, finding 1): once an article moved, its old
slug keeps leading readers to it; nobody else's draft can take it over, whatever writes it."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from articles import services
from articles.models import Article, SlugRedirect
from tests.factories import editor_user, make_article, make_author, writer_user
from tests.readers import FormReader

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(client, django_user_model):
    """A live article an editor renamed: /news/old-address/ answers 301."""
    article = make_article("Lab opens its model", slug="old-address")
    services.article_update(article=article, slug="new-address")
    assert Client().get("/news/old-address/")["Location"] == "/news/new-address/"
    return article


@pytest.fixture
def writer_client(django_user_model):
    user = writer_user(django_user_model)
    make_author("Wes Writer", user=user)
    client = Client()
    client.force_login(user)
    return client


def _add_form(client, **fields):
    html = client.get(reverse("admin:articles_article_add")).content.decode()
    return FormReader(html, "article_form").as_post(_save="Save", **fields)


def test_a_writers_draft_cannot_take_another_articles_old_address(moved, writer_client):
    data = _add_form(
        writer_client, headline="My story", slug="old-address", dek="A dek.", summary="S."
    )
    response = writer_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["slug"]
    assert "Lab opens its model" in errors[0]
    assert not Article.objects.filter(slug="old-address").exists()
    assert SlugRedirect.objects.get(old_slug="old-address").article == moved
    assert Client().get("/news/old-address/")["Location"] == "/news/new-address/"


def test_the_write_path_refuses_it_too(moved):
    with pytest.raises(ValidationError, match="old address of “Lab opens its model”"):
        make_article("Someone else's story", slug="old-address")
    other = make_article("Another story", slug="another")
    with pytest.raises(ValidationError):
        services.article_update(article=other, slug="old-address")
    assert SlugRedirect.objects.get(old_slug="old-address").article == moved


def test_the_article_itself_may_take_its_old_address_back(moved):
    services.article_update(article=moved, slug="old-address")
    assert Client().get("/news/old-address/").status_code == 200
    assert Client().get("/news/new-address/")["Location"] == "/news/old-address/"


def test_an_editor_releases_an_old_address_explicitly(moved, django_user_model):
    desk = Client()
    desk.force_login(editor_user(django_user_model))
    redirect = SlugRedirect.objects.get(old_slug="old-address")
    url = reverse("admin:articles_slugredirect_delete", args=[redirect.pk])
    assert desk.post(url, {"post": "yes"}).status_code == 302
    fresh = make_article("A new story", slug="old-address")
    assert Client().get("/news/old-address/").content.count(b"A new story") >= 1
    assert fresh.slug == "old-address"


def test_writers_cannot_release_an_old_address(moved, writer_client):
    redirect = SlugRedirect.objects.get(old_slug="old-address")
    url = reverse("admin:articles_slugredirect_delete", args=[redirect.pk])
    assert writer_client.post(url, {"post": "yes"}).status_code == 403
    assert SlugRedirect.objects.filter(pk=redirect.pk).exists()
