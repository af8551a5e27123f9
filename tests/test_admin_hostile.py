"""Staff pages answer what staff can type or click with a page, never a server error (issue 14,
finding 9)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.desk import change_url
from tests.factories import make_article
from tests.readers import FormReader

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(django_user_model):
    """Someone who sees every list of the admin."""
    client = Client(raise_request_exception=False)
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com"))
    return client


def test_save_as_new_with_an_invalid_form_shows_the_errors(desk):
    article = make_article("Original story")
    form = FormReader(desk.get(change_url(article)).content.decode(), "article_form")
    response = desk.post(change_url(article), form.as_post(_saveasnew="Save as new", headline=""))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


@pytest.mark.parametrize(
    "admin_list",
    [
        "admin:articles_article_changelist",
        "admin:newsletter_subscriber_changelist",
        "admin:newsletter_edition_changelist",
    ],
)
@pytest.mark.parametrize(
    "drill_down",
    ["year=99999999999", "year=9999", "year=2026&{field}__month=13", "year=0", "year=x"],
)
def test_a_date_drill_down_out_of_any_calendar_is_a_bad_filter_not_a_500(
    desk, admin_list, drill_down
):
    field = {"article": "published_at", "subscriber": "created_at", "edition": "date"}[
        admin_list.split("_")[1]
    ]
    url = reverse(admin_list) + f"?{field}__" + drill_down.format(field=field)
    response = desk.get(url)
    assert response.status_code in (200, 302), (url, response.status_code)
    if response.status_code == 302:
        assert "e=1" in response["Location"]
