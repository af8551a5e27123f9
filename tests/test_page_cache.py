"""Readers' pages through the page cache (articles/page_cache.py): the same bytes for every
reader, revalidated, keyed only on what a page reads, and never served stale once a change has
committed. Changes commit for real here: the cache is told after commit."""

import threading
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import close_old_connections, transaction
from django.utils import timezone

from articles import services, views
from articles.models import Article
from articles.page_cache import GENERATION_KEY
from tests.factories import editor_user, make_article

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    # The suite runs with the page cache off so other tests count a page's own queries.
    settings.PAGE_CACHE_SECONDS = 300


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
    assert client.get(article.get_absolute_url()).status_code == 200
    services.article_unpublish(article=article)
    assert b"will be pulled" not in client.get("/").content
    assert client.get(article.get_absolute_url()).status_code == 404


def test_the_cache_is_told_only_once_the_change_commits(client):
    article = make_article("Pulled in a transaction")
    client.get(article.get_absolute_url())
    before = cache.get(GENERATION_KEY)
    with transaction.atomic():
        services.article_unpublish(article=article)
        # Readers still read the committed row: the cached page is still the truth.
        assert cache.get(GENERATION_KEY) == before
    assert cache.get(GENERATION_KEY) != before
    assert client.get(article.get_absolute_url()).status_code == 404


def test_a_page_rendered_while_a_change_commits_is_never_served_after_it(client, monkeypatch):
    """The reader reads the article, an editor's unpublish commits, the reader's page (of the
    old row) is stored: the next reader must not get it."""
    article = make_article("Pulled mid-render")
    render_recent = views.recent_news

    def unpublish_meanwhile(*args, **kwargs):
        def editor():
            services.article_unpublish(article=Article.objects.get(pk=article.pk))
            close_old_connections()

        other = threading.Thread(target=editor)  # another connection: a real commit
        other.start()
        other.join()
        return render_recent(*args, **kwargs)

    monkeypatch.setattr(views, "recent_news", unpublish_meanwhile)
    assert client.get(article.get_absolute_url()).status_code == 200  # rendered from the old row
    monkeypatch.setattr(views, "recent_news", render_recent)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_a_session_cookie_real_or_not_gets_the_cached_page(
    client, django_user_model, django_assert_num_queries
):
    article = make_article("Same page for staff")
    anonymous = client.get(article.get_absolute_url()).content
    client.cookies["__Host-sessionid"] = "made-up"
    client.cookies["sessionid"] = "made-up"
    with django_assert_num_queries(0):
        assert client.get(article.get_absolute_url()).content == anonymous
    client.force_login(editor_user(django_user_model))
    with django_assert_num_queries(0):
        assert client.get(article.get_absolute_url()).content == anonymous


def test_staff_still_preview_a_draft_that_readers_get_a_404_for(client, django_user_model):
    draft = make_article("Not yet", draft=True)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(editor_user(django_user_model))
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert b"Preview: not published." in response.content
    assert "no-store" in response["Cache-Control"]


JUNK = [
    {"utm_source": "newsletter", "utm_medium": "email"},
    {"fbclid": "IwAR0abc"},
    {"x": "1"},
    {"nocache": "1"},
    {"page": "2"},
    {"q": "chips"},
    {"ref": "hn", "utm_campaign": "launch"},
]


def _entries():
    """The pages the cache holds (locmem), without its bookkeeping."""
    return [
        key
        for key in cache._cache  # noqa: SLF001 (counting what the cache holds)
        if ":pages:" in key and "generation" not in key and "next-publish" not in key
    ]


def test_junk_query_strings_share_one_entry_and_one_rendering(client):
    article = make_article("One page, one entry")
    url = article.get_absolute_url()
    cache.clear()
    bodies = set()
    for n in range(50):
        params = {**JUNK[n % len(JUNK)], "n": str(n)}
        response = client.get(f"{url}?{urlencode(params)}")
        assert response.status_code == 200
        bodies.add(response.content)
    assert len(bodies) == 1
    assert len(_entries()) == 1


def test_search_keys_on_its_query_and_page_only(client):
    for n in range(12):
        make_article(f"Latency story {n}", hours_ago=n + 1)
    cache.clear()
    same = [
        "/search/?q=latency",
        "/search/?q=+latency+&utm_source=x",
        "/search/?page=1&q=latency",
        "/search/?q=latency&fbclid=abc",
        "/search/?q=chips&q=latency",  # the view reads the last value, so does the cache
    ]
    bodies = {client.get(path).content for path in same}
    assert len(bodies) == 1
    assert len(_entries()) == 1
    client.get("/search/?q=latency&page=2")
    client.get("/search/?q=chips")
    assert len(_entries()) == 3


def test_scheduled_article_appears_on_time_without_any_job(client):
    make_article("Already live")
    make_article("Scheduled shortly", published_at=timezone.now() + timedelta(seconds=2))
    assert b"Scheduled shortly" not in client.get("/").content
    time.sleep(2.5)
    assert b"Scheduled shortly" in client.get("/").content


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


def test_deploy_check_warns_when_each_worker_keeps_its_own_page_cache(settings):
    from articles.checks import page_cache_is_shared

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in page_cache_is_shared(None)] == ["articles.W001"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        }
    }
    assert page_cache_is_shared(None) == []
    settings.PAGE_CACHE_SECONDS = 0
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert page_cache_is_shared(None) == []
