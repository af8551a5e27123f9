"""An article's own address answers browsers with its page and servers of the social web with
its ActivityPub object; both vary on Accept, and every cache keeps the two apart: the page
cache (locmem here) and deploy/nginx.conf's micro-cache (Debian's nginx in front of the live
server)."""

import json
import re

import pytest
from django.core.cache import cache

from articles import services
from federation.models import Switch
from tests.factories import make_article
from tests.test_deploy_nginx import _get, front  # noqa: F401 (the nginx fixture)

pytestmark = pytest.mark.django_db
ACTIVITY = "application/activity+json"
LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept", [ACTIVITY, LD, f"{ACTIVITY}, {LD}"])
def test_servers_get_the_object_at_the_article_address(client, federating, accept):
    article = make_article("Two forms")
    response = client.get(article.get_absolute_url(), HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == ACTIVITY
    assert "Accept" in response["Vary"]
    story = json.loads(response.content)
    assert story["type"] == "Article" and story["name"] == "Two forms"
    assert story["id"] == f"http://testserver/ap/articles/{article.pk}/1"
    assert story["url"] == f"http://testserver{article.get_absolute_url()}"


@pytest.mark.parametrize("accept", [BROWSER, "*/*", "", "application/json"])
def test_browsers_get_the_page_unchanged(client, federating, accept):
    article = make_article("Two forms")
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client.get(article.get_absolute_url(), **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]
    assert b"<h1" in response.content and b"Two forms" in response.content


def test_not_live_moved_and_switched_off(client, federating):
    draft = make_article("Not yet", draft=True)
    assert client.get(draft.get_absolute_url(), HTTP_ACCEPT=ACTIVITY).status_code == 404
    moved = make_article("Moved story")
    old = moved.get_absolute_url()
    services.article_update(article=moved, slug="moved-story-renamed")
    response = client.get(old, HTTP_ACCEPT=ACTIVITY)
    assert response.status_code == 301 and response["Location"] == moved.get_absolute_url()
    Switch.objects.update_or_create(pk=1, defaults={"enabled": False})
    response = client.get(moved.get_absolute_url(), HTTP_ACCEPT=ACTIVITY)
    assert response["Content-Type"].startswith("text/html")


def test_the_page_cache_keeps_the_two_forms_apart(client, federating):
    federating.PAGE_CACHE_SECONDS = 300
    article = make_article("Cached twice")
    address = article.get_absolute_url()
    for _ in range(2):  # a miss, then a hit, for each form, in either order
        for accept, kind in ((ACTIVITY, ACTIVITY), (BROWSER, "text/html"), (LD, ACTIVITY)):
            response = client.get(address, HTTP_ACCEPT=accept)
            assert response["Content-Type"].startswith(kind), (accept, response["Content-Type"])
            assert "Accept" in response["Vary"]
    pages = [key for key in cache._cache if re.search(r"pages:[0-9a-f]{40}$", key)]
    assert len(pages) == 2  # one entry per form


@pytest.mark.django_db(transaction=True)
def test_the_micro_cache_keeps_the_two_forms_apart(front, federating):  # noqa: F811
    article = make_article("Through nginx")
    url = front + article.get_absolute_url()
    assert _get(url, {"Accept": BROWSER})[:2] == (200, "MISS")
    status, cached, body = _get(url, {"Accept": ACTIVITY})
    assert (status, cached) == (200, "MISS") and json.loads(body)["type"] == "Article"
    for accept in (BROWSER, "text/html", "*/*"):  # any browser: the one stored page
        status, cached, body = _get(url, {"Accept": accept})
        assert (status, cached) == (200, "HIT") and b"<h1" in body, accept
    for accept in (ACTIVITY, LD, f"text/html;q=0.1, {ACTIVITY}"):
        status, cached, body = _get(url, {"Accept": accept})
        assert (status, cached) == (200, "HIT") and json.loads(body)["type"] == "Article"


@pytest.mark.django_db(transaction=True)
def test_the_micro_cache_keys_outbox_pages_and_webfinger_lookups(front, site):  # noqa: F811
    for n in range(25):
        make_article(f"Story {n}")
    outbox = f"{front}/ap/outbox"
    assert _get(outbox, {"Accept": ACTIVITY})[1] == "MISS"
    first = json.loads(_get(f"{outbox}?page=1", {"Accept": ACTIVITY})[2])
    second = json.loads(_get(f"{outbox}?page=2&utm_source=x", {"Accept": ACTIVITY})[2])
    assert first["type"] == second["type"] == "OrderedCollectionPage"
    assert first["id"] != second["id"]
    assert _get(f"{outbox}?page=2", {"Accept": ACTIVITY})[1] == "HIT"
    finger = f"{front}/.well-known/webfinger?resource="
    assert _get(finger + "acct:newsroom@elsewhere.test")[0] == 404
    assert _get(finger + "acct:someone@elsewhere.test")[0] == 404
