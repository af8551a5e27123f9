"""Faults that fit in a test: gunicorn serving while its database is unreachable."""

import time
import urllib.error
import urllib.request

import pytest

from tests.processes import free_port, serving_gunicorn


def get(url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return (
                response.status,
                dict(response.headers),
                response.read(),
                time.monotonic() - started,
            )
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read(), time.monotonic() - started


@pytest.fixture(scope="module")
def gunicorn_without_database():
    """gunicorn with production settings, pointed at a PostgreSQL port where nothing listens."""
    dead = free_port()
    with serving_gunicorn(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{dead}/newsroom",
        WEB_CONCURRENCY="2",
        PAGE_CACHE_SECONDS="300",
    ) as gunicorn:
        yield gunicorn.url
    assert b"WORKER TIMEOUT" not in gunicorn.log


def test_pages_answer_503_with_retry_after_while_the_database_is_down(gunicorn_without_database):
    base = gunicorn_without_database
    for path in ("/", "/news/any-story/", "/topics/", "/search/?q=chips"):
        status, headers, body, seconds = get(base + path)
        assert status == 503, path
        assert headers["Retry-After"] == "30"
        assert "no-store" in headers["Cache-Control"]
        assert b"back in a moment" in body
        assert seconds < 3, (path, seconds)


def test_probes_tell_alive_from_ready(gunicorn_without_database):
    base = gunicorn_without_database
    assert get(base + "/healthz")[0] == 200
    assert get(base + "/readyz")[0] == 503


def test_signup_during_an_outage_gets_a_clear_try_again_page(gunicorn_without_database):
    status, headers, body, _ = get(
        gunicorn_without_database + "/newsletter/subscribe/",
        data=b"email=reader%40example.org&source=%2F&website=",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 503
    assert b"try again" in body.lower()
