"""Anonymous pages: identical for every reader, cached, revalidated, and fresh after changes."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    # The suite runs with the page cache off so other tests count a page's own queries.
    settings.PAGE_CACHE_SECONDS = 300


def make_article(headline, *, when=None, status=Article.Status.PUBLISHED):
    slug = headline.lower().replace(" ", "-")
    return Article.objects.create(
        headline=headline,
        slug=slug,
        dek=f"{headline}, in one sentence.",
        summary="A short summary.",
        status=status,
        published_at=when or timezone.now() - timedelta(hours=1),
    )


def test_anonymous_page_carries_public_cache_headers_and_no_cookie(client):
    make_article("Chip makers expand")
    response = client.get("/")
    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response
    assert "cookie" not in response.get("Vary", "").lower()
    cache_control = response["Cache-Control"]
    assert "public" in cache_control
    assert "max-age=60" in cache_control
    assert "s-maxage=300" in cache_control
    assert "stale-while-revalidate=600" in cache_control
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")
    assert b"csrfmiddlewaretoken" not in response.content


def test_second_request_is_served_from_the_cache_without_queries(client, django_assert_num_queries):
    make_article("Robots learn to fold laundry")
    first = client.get("/")
    with django_assert_num_queries(0):
        second = client.get("/")
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_conditional_request_answers_304_without_rendering(client, django_assert_num_queries):
    make_article("A quieter datacenter")
    etag = client.get("/")["ETag"]
    with django_assert_num_queries(0):
        response = client.get("/", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_if_modified_since_answers_304(client):
    make_article("Edge inference grows up")
    last_modified = client.get("/")["Last-Modified"]
    response = client.get("/", headers={"if-modified-since": last_modified})
    assert response.status_code == 304


def test_publishing_an_article_invalidates_cached_pages(client):
    make_article("First story of the day")
    assert b"Second story" not in client.get("/").content
    make_article("Second story of the day")
    assert b"Second story of the day" in client.get("/").content


def test_unpublishing_invalidates_cached_pages(client):
    article = make_article("A story that will be pulled")
    assert b"will be pulled" in client.get("/").content
    article.unpublish()
    article.save()
    assert b"will be pulled" not in client.get("/").content


def test_scheduled_article_appears_on_time_without_any_job(client):
    make_article("Already live")
    make_article("Scheduled shortly", when=timezone.now() + timedelta(seconds=2))
    assert b"Scheduled shortly" not in client.get("/").content
    time.sleep(2.5)
    assert b"Scheduled shortly" in client.get("/").content


def test_logged_in_requests_bypass_the_cache(client, django_assert_max_num_queries):
    make_article("Staff read this too")
    client.get("/")  # cached for anonymous readers
    user = get_user_model().objects.create_user("desk", password="pw-long-enough-1")
    client.force_login(user)
    with django_assert_max_num_queries(50) as captured:
        client.get("/")
    assert len(captured) > 0


def test_admin_pages_are_never_cached(client, settings):
    response = client.get("/" + settings.ADMIN_URL + "login/")
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_security_headers_on_public_pages(client):
    response = client.get("/")
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert "nonce" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
