"""Following the newsroom from another server, over real HTTP both ways: the fake instance
discovers the account by WebFinger, fetches the actor, follows with a signed request, and
receives an Accept whose signature verifies with the key the newsroom publishes."""

from urllib.parse import urlsplit

import pytest

from federation.delivery import drain
from federation.models import Delivery, Follower, RemoteActor
from tests.factories import make_article
from tests.federation.fediverse import get_json, verify

pytestmark = pytest.mark.django_db(transaction=True)
AS = "https://www.w3.org/ns/activitystreams"


def discover(site):
    """What a Mastodon server does with @newsroom@host: WebFinger, then the actor."""
    host = urlsplit(site.url).netloc
    content_type, found = get_json(
        f"{site.url}/.well-known/webfinger?resource=acct:newsroom@{host}",
        accept="application/jrd+json",
    )
    assert content_type == "application/jrd+json"
    address = next(link["href"] for link in found["links"] if link["rel"] == "self")
    content_type, actor = get_json(address)
    assert content_type == "application/activity+json"
    return actor


def follow(remote, actor, name="reader", n=1):
    activity = {
        "@context": AS,
        "id": f"{remote.base}/follows/{name}/{n}",
        "type": "Follow",
        "actor": remote.actor(name),
        "object": actor["id"],
    }
    status, text = remote.post(actor["inbox"], activity, name)
    assert status == 202, text
    return activity


def test_follow_is_accepted_with_a_signature_that_verifies(site, remote):
    actor = discover(site)
    sent = follow(remote, actor)
    follower = Follower.objects.select_related("actor__server").get()
    assert follower.actor.url == remote.actor("reader")
    assert follower.actor.server.domain == remote.domain
    assert follower.actor.handle == "@reader@127.0.0.1"
    # The newsroom fetched the follower's key with a signed GET (servers in secure mode
    # insist), signed with its published key.
    [fetched] = [r for r in remote.requests if r.method == "GET"]
    assert verify(fetched, actor["publicKey"]["publicKeyPem"]) == actor["publicKey"]["id"]

    assert remote.posts() == []  # the request only wrote the Accept down
    report = drain()
    assert report.sent == 1
    [delivered] = remote.wait_for_posts(1)
    assert delivered.path == "/users/reader/inbox"  # an Accept is personal: not the shared inbox
    assert verify(delivered, actor["publicKey"]["publicKeyPem"]) == actor["publicKey"]["id"]
    accept = delivered.json
    assert accept["type"] == "Accept" and accept["actor"] == actor["id"]
    assert accept["object"]["id"] == sent["id"] and accept["object"]["type"] == "Follow"
    assert delivered.headers["content-type"] == "application/activity+json"


def test_a_repeated_follow_is_one_follower_and_answered_again(site, remote):
    actor = discover(site)
    follow(remote, actor, n=1)
    follow(remote, actor, n=2)
    assert Follower.objects.count() == 1
    assert Follower.objects.get().follow_id.endswith("/follows/reader/2")
    drain()
    assert len(remote.wait_for_posts(2)) == 2


def test_undo_stops_deliveries(site, remote):
    actor = discover(site)
    sent = follow(remote, actor, "reader")
    follow(remote, actor, "critic")
    drain()
    remote.wait_for_posts(2)
    undo = {
        "@context": AS,
        "id": f"{remote.base}/undo/1",
        "type": "Undo",
        "actor": remote.actor("reader"),
        "object": sent,
    }
    status, _ = remote.post(actor["inbox"], undo, "reader")
    assert status == 202
    assert list(Follower.objects.values_list("actor__url", flat=True)) == [remote.actor("critic")]

    remote.shared_inbox = False  # so each follower's own inbox shows who is still served
    RemoteActor.objects.update(shared_inbox="")
    make_article("After the undo")  # committed at once: announced
    drain()
    creates = [r for r in remote.wait_for_posts(3) if r.json["type"] == "Create"]
    assert [r.path for r in creates] == ["/users/critic/inbox"]
    assert not Delivery.objects.filter(inbox=remote.inbox("reader"), activity__kind="Create")
