"""deploy/nginx.conf's micro-cache keys pages the way the app's page cache does: the path and
only the parameters the page reads. Checked against the views' declarations, and by running
Debian's nginx with the shipped file in front of the test server."""

import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.urls import resolve

from bench import support
from tests.factories import make_article
from tests.processes import free_port

ROOT = Path(__file__).resolve().parent.parent
CONFIG = (ROOT / "deploy" / "nginx.conf").read_text()
# One address of every kind of public page.
SAMPLES = [
    "/",
    "/news/a-story/",
    "/topics/",
    "/topics/models/",
    "/topics/models/feeds/rss/",
    "/authors/ada/",
    "/authors/ada/feeds/atom/",
    "/search/",
    "/feeds/rss/",
    "/sitemap.xml",
    "/sitemap-articles.xml",
    "/sitemap-news.xml",
    "/robots.txt",
    "/corrections/",
]


def nginx_key_params(path):
    """The query parameters deploy/nginx.conf keys `path` on (its map, first match wins)."""
    block = re.search(r"map \$uri \$newsroom_page_args \{(.*?)\n    \}", CONFIG, re.S).group(1)
    for pattern, value in re.findall(r'"~([^"]+)"\s+"([^"]*)";', block):
        if re.search(pattern, path):
            return set(re.findall(r"\$arg_(\w+)", value))
    return set()


@pytest.mark.parametrize("path", SAMPLES)
def test_nginx_keys_each_page_on_the_parameters_its_view_reads(path):
    view = resolve(path).func
    assert hasattr(view, "page_params"), f"{path} is not a public page"
    assert nginx_key_params(path) == {name for name, _ in view.page_params}, path


def test_nothing_a_visitor_sends_skips_the_micro_cache():
    assert "proxy_cache_bypass" not in CONFIG
    assert "$request_uri" not in CONFIG.split("proxy_cache_key", 1)[1].split(";", 1)[0]


# The shipped file, running ----------------------------------------------------------------------


@pytest.fixture
def front(live_server, settings):
    """Debian's nginx with deploy/nginx.conf (as the benchmarks run it), in front of the test
    server, whose page cache is on."""
    settings.PAGE_CACHE_SECONDS = 300
    port = free_port()
    with support.nginx(support.shipped_front(urlsplit(live_server.url).port, port)):
        yield f"http://127.0.0.1:{port}"


def _get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.headers.get("X-Cache"), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("X-Cache"), error.read()


@pytest.mark.django_db(transaction=True)
def test_junk_parameters_and_made_up_cookies_share_the_micro_cached_page(front):
    article = make_article("Through the front")
    url = front + article.get_absolute_url()
    assert _get(url)[1] == "MISS"
    seen = set()
    for n, junk in enumerate(
        [{"utm_source": "x"}, {"nocache": "1"}, {"fbclid": "y"}, {"page": "3"}, {"q": "z"}] * 4
    ):
        status, cached, body = _get(f"{url}?{urlencode({**junk, 'n': n})}")
        assert (status, cached) == (200, "HIT"), junk
        seen.add(body)
    status, cached, _ = _get(url, {"Cookie": "__Host-sessionid=made-up; sessionid=made-up"})
    assert (status, cached) == (200, "HIT")
    assert len(seen) == 1
    # Pages that read a parameter keep one entry per value of it.
    assert _get(front + "/search/?q=through")[1] == "MISS"
    assert _get(front + "/search/?q=through&utm_source=x")[1] == "HIT"
    assert _get(front + "/search/?q=front")[1] == "MISS"


@pytest.mark.django_db(transaction=True)
def test_a_story_published_under_the_micro_cache_reaches_the_front_page_within_two_seconds(front):
    """The breaking-news moment: the front page was just stored by nginx when a story is
    published. Readers see it once the micro-cache's second is over (nginx counts whole
    seconds, so one to two), not after the five or six seconds it used to keep pages."""
    make_article("Already on the front page")
    assert _get(front + "/")[1] == "MISS"  # stored now
    story = make_article("Breaking through the front", hours_ago=0)
    started = time.monotonic()
    while b"Breaking through the front" not in _get(front + "/")[2]:
        assert time.monotonic() - started < 3.5, "the new story is not on the front page yet"
        time.sleep(0.1)
    assert story.get_absolute_url().encode() in _get(front + "/")[2]
