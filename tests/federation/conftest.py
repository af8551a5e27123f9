"""Fixtures for the social web tests: settings that let the newsroom reach test servers on
127.0.0.1, fake remote servers, and stories announced the way the write path announces them."""

import pytest

from articles.models import Article
from articles.signals import article_changed
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


def announce(article, change):
    """What the write path sends once an article's change has committed."""
    article_changed.send(sender=Article, article_id=article.pk, change=change)
