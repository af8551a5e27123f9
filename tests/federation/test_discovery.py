"""Finding the newsroom's account: WebFinger, NodeInfo, the actor, its outbox and followers,
and each story as an ActivityPub object (test client, PostgreSQL)."""

import json

import pytest
from cryptography.hazmat.primitives import serialization

from federation.models import Activity, Follower, KeyPair, RemoteActor, Server, Switch
from tests.factories import make_article, make_author, make_topic

pytestmark = pytest.mark.django_db

ACTIVITY = "application/activity+json"


def body(response):
    return json.loads(response.content)


def test_webfinger_finds_the_account(client, federating):
    response = client.get("/.well-known/webfinger", {"resource": "acct:newsroom@testserver"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jrd+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    found = body(response)
    assert found["subject"] == "acct:newsroom@testserver"
    self_link = next(link for link in found["links"] if link["rel"] == "self")
    assert self_link == {"rel": "self", "type": ACTIVITY, "href": "http://testserver/ap/actor"}


def test_webfinger_answers_only_for_its_account(client, federating):
    assert client.get("/.well-known/webfinger").status_code == 400
    for other in ("acct:someone@testserver", "acct:newsroom@elsewhere.example", "x"):
        response = client.get("/.well-known/webfinger", {"resource": other})
        assert response.status_code == 404, other


def test_nodeinfo_is_linked_and_counts_stories(client, federating):
    make_article("Live one")
    make_article("Scheduled one", hours_ago=-2)
    links = body(client.get("/.well-known/nodeinfo"))["links"]
    assert links[0]["href"] == "http://testserver/nodeinfo/2.1"
    info = body(client.get("/nodeinfo/2.1"))
    assert info["protocols"] == ["activitypub"]
    assert info["usage"]["localPosts"] == 1
    assert info["openRegistrations"] is False


def test_actor_document_carries_a_stored_key(client, federating):
    response = client.get("/ap/actor", HTTP_ACCEPT=ACTIVITY)
    assert response.status_code == 200
    assert response["Content-Type"] == ACTIVITY
    actor = body(response)
    assert actor["id"] == "http://testserver/ap/actor"
    assert actor["preferredUsername"] == "newsroom"
    assert actor["type"] == "Organization"
    for name in ("inbox", "outbox", "followers", "following"):
        assert actor[name].startswith("http://testserver/ap/")
    assert actor["endpoints"]["sharedInbox"] == actor["inbox"]
    assert actor["icon"]["url"].startswith("http://testserver/static/")
    key = actor["publicKey"]
    assert key["id"] == "http://testserver/ap/actor#main-key" and key["owner"] == actor["id"]
    assert serialization.load_pem_public_key(key["publicKeyPem"].encode()).key_size == 2048
    # Made once: the second request shows the same key, and one pair is stored.
    assert body(client.get("/ap/actor"))["publicKey"]["publicKeyPem"] == key["publicKeyPem"]
    assert KeyPair.objects.count() == 1


def test_outbox_pages_through_published_stories_newest_first(client, federating):
    topic = make_topic("Open Models")
    author = make_author("Ada Reporter")
    for n in range(23):
        make_article(f"Story {n}", hours_ago=n + 1, topics=[topic], authors=[author])
    make_article("A draft", draft=True)
    make_article("Not yet", hours_ago=-1)
    collection = body(client.get("/ap/outbox"))
    assert collection["type"] == "OrderedCollection" and collection["totalItems"] == 23
    first = body(client.get(collection["first"].removeprefix("http://testserver")))
    assert first["type"] == "OrderedCollectionPage"
    assert [item["object"]["name"] for item in first["orderedItems"]][:3] == [
        "Story 0",
        "Story 1",
        "Story 2",
    ]
    assert len(first["orderedItems"]) == 20
    second = body(client.get(first["next"].removeprefix("http://testserver")))
    assert len(second["orderedItems"]) == 3 and "next" not in second
    assert second["prev"] == "http://testserver/ap/outbox?page=1"
    assert client.get("/ap/outbox", {"page": "9"}).status_code == 404
    assert client.get("/ap/outbox", {"page": "x"}).status_code == 404


def test_a_story_as_an_activitypub_article(client, federating):
    topic = make_topic("Open Models")
    article = make_article(
        "A model for everyone",
        dek="Weights anyone can download.",
        authors=[make_author("Ada Reporter"), make_author("Bo Editor")],
        topics=[topic],
        sections=(
            ("What happened", "It shipped, see [the list](/topics/open-models/).", ["Fast."]),
        ),
    )
    response = client.get(f"/ap/articles/{article.pk}/1")
    assert response.status_code == 200
    story = body(response)
    assert story["type"] == "Article"
    assert story["id"] == f"http://testserver/ap/articles/{article.pk}/1"
    assert story["name"] == "A model for everyone"
    assert story["url"] == f"http://testserver/news/{article.slug}/"
    assert story["attributedTo"] == "http://testserver/ap/actor"
    assert "summary" not in story  # Mastodon would show it as a content warning
    content = story["content"]
    assert content.startswith("<p>Weights anyone can download.</p>")
    assert "<strong>The short version:</strong>" in content
    assert '<a href="http://testserver/topics/open-models/">the list</a>' in content
    assert "<li>Fast.</li>" in content
    assert "Ada Reporter</a> and <a" in content
    assert story["tag"] == [
        {"type": "Hashtag", "href": "http://testserver/topics/open-models/", "name": "#OpenModels"}
    ]
    assert story["published"] and "updated" not in story
    assert "https://www.w3.org/ns/activitystreams#Public" in story["to"]


@pytest.mark.parametrize("kind", ["draft", "scheduled", "old generation"])
def test_only_live_stories_at_their_current_id(client, federating, kind):
    hours_ago = -1 if kind == "scheduled" else 1
    article = make_article("Hidden", draft=kind == "draft", hours_ago=hours_ago)
    generation = 1
    if kind == "old generation":  # withdrawn and published again: a new object id
        Activity.objects.create(kind="Create", article_id=article.pk, generation=2)
    assert client.get(f"/ap/articles/{article.pk}/{generation}").status_code == 404


def test_followers_collection_counts_without_listing(client, federating):
    server = Server.objects.create(domain="social.example")
    for n in range(3):
        actor = RemoteActor.objects.create(
            url=f"https://social.example/users/{n}",
            server=server,
            key_id=f"https://social.example/users/{n}#main-key",
            public_key_pem="-",
            inbox=f"https://social.example/users/{n}/inbox",
            fetched_at="2026-01-01T00:00:00Z",
        )
        Follower.objects.create(actor=actor, follow_id=f"https://social.example/follows/{n}")
    followers = body(client.get("/ap/followers"))
    assert followers["totalItems"] == 3
    assert "orderedItems" not in followers and "first" not in followers


def test_switched_off_the_account_is_not_found(client, federating):
    article = make_article("Live one")
    Switch.objects.update_or_create(pk=1, defaults={"enabled": False})
    for address in (
        "/.well-known/webfinger?resource=acct:newsroom@testserver",
        "/.well-known/nodeinfo",
        "/ap/actor",
        "/ap/outbox",
        "/ap/followers",
        f"/ap/articles/{article.pk}/1",
    ):
        assert client.get(address).status_code == 404, address
    assert client.post("/ap/inbox", b"{}", content_type=ACTIVITY).status_code == 404


def test_a_misspelt_option_stops_the_checks(settings):
    from django.core.checks import run_checks

    settings.FEDERATION_OPTIONS = {"DELIVERY_TIMEOUT": 20, "RETRY_DELAYS": 5}
    errors = [e for e in run_checks() if e.id == "federation.E001"]
    assert len(errors) == 1 and "RETRY_DELAYS" in errors[0].msg
    settings.FEDERATION_OPTIONS = {"DELIVERY_TIMEOUT": 20}
    assert not [e for e in run_checks() if e.id == "federation.E001"]
