"""Fixtures for the social web tests: settings that let the newsroom reach test servers on
127.0.0.1, fake remote servers, and the write path's after-commit announcements run."""

import pytest

from tests.federation.fediverse import FakeInstance


@pytest.fixture
def federating(settings):
    """Loopback allowed (tests only), short timeouts, no surprise retries within a test."""
    settings.FEDERATION_OPTIONS = {
        "ALLOW_LOOPBACK": True,
        "FETCH_TIMEOUT": 2,
        "DELIVERY_TIMEOUT": 1,
        "RETRY_DELAY": 60,
    }
    settings.FEDERATION_NAME = "newsroom"
    return settings


@pytest.fixture
def remote(federating):
    with FakeInstance(names=("reader", "critic")) as instance:
        yield instance


@pytest.fixture
def site(live_server, federating):
    """The newsroom over real HTTP, its addresses on the live server."""
    federating.SITE_URL = live_server.url
    return live_server


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` around a write runs what it leaves for after commit (the write
    path's announcement, federation's wake-up), which a test's transaction never reaches."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
