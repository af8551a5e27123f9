"""The inbox: only a request signed by the account it names gets in (draft-cavage HTTP
Signatures with a Digest); anything else is refused with 401 and changes nothing. Likes, boosts,
their undoing and account deletions are counted (test client; the sender's server is real)."""

from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone

from federation import fetch
from federation import remote as remote_accounts
from federation.models import Activity, Follower, Reaction, RemoteActor
from tests.factories import make_article
from tests.federation.fediverse import new_key

pytestmark = pytest.mark.django_db
INBOX = "http://testserver/ap/inbox"
AS = "https://www.w3.org/ns/activitystreams"


def deliver(client, body, headers):
    """POST to the inbox as the remote server would."""
    headers = {name: value for name, value in headers.items() if name != "content-type"}
    return client.post("/ap/inbox", body, content_type="application/activity+json", headers=headers)


def follow_of(remote, name="reader"):
    return {
        "@context": AS,
        "id": f"{remote.base}/follows/{name}",
        "type": "Follow",
        "actor": remote.actor(name),
        "object": "http://testserver/ap/actor",
    }


def state():
    return (
        Follower.objects.count(),
        Activity.objects.count(),
        Reaction.objects.count(),
    )


def test_a_signed_follow_gets_in(client, remote):
    response = deliver(client, *remote.signed(INBOX, follow_of(remote)))
    assert response.status_code == 202, response.content
    assert state() == (1, 1, 0)  # a follower and the Accept to send


def _forgeries(remote):
    follow = follow_of(remote)
    intruder = new_key()
    with_actor = lambda actor: {**follow, "actor": actor}  # noqa: E731

    def tampered_body():
        body, headers = remote.signed(INBOX, follow)
        return body.replace(b"/follows/reader", b"/follows/other"), headers

    def digest_recomputed():
        import base64
        import hashlib

        body, headers = remote.signed(INBOX, follow)
        body = body.replace(b"/follows/reader", b"/follows/other")
        headers["digest"] = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        return body, headers

    def unsigned():
        body, headers = remote.signed(INBOX, follow)
        del headers["signature"]
        return body, headers

    def without_digest():
        body, headers = remote.signed(INBOX, follow)
        headers["signature"] = headers["signature"].replace(" digest", "")
        del headers["digest"]
        return body, headers

    stale = format_datetime(timezone.now() - timedelta(hours=2), usegmt=True)
    return {
        "unsigned": unsigned,
        "signed with another key": lambda: remote.signed(INBOX, follow, key=intruder),
        "body changed after signing": tampered_body,
        "digest recomputed for a changed body": digest_recomputed,
        "digest not signed": without_digest,
        "two hours old": lambda: remote.signed(INBOX, follow, date=stale),
        "actor is someone else": lambda: remote.signed(INBOX, with_actor(remote.actor("critic"))),
        "key of an unknown account": lambda: remote.signed(
            INBOX, follow, key_id=f"{remote.base}/users/nobody#main-key"
        ),
        "key on a private address": lambda: remote.signed(
            INBOX, follow, key_id="http://10.20.30.40/users/reader#main-key"
        ),
        "for another host": lambda: remote.signed("http://elsewhere.test/ap/inbox", follow),
    }


# Each forgery and the reason the inbox gives for refusing it.
FORGERIES = {
    "unsigned": "the request is not signed",
    "signed with another key": "the signature does not verify",
    "body changed after signing": "the body does not match its Digest",
    "digest recomputed for a changed body": "the signature does not verify",
    "digest not signed": "the signature does not cover",
    "two hours old": "the Date header is missing or too far from now",
    "actor is someone else": "the activity's actor is not the account that signed it",
    "key of an unknown account": "/users/nobody answered 404",
    "key on a private address": "which is not a public address",
    "for another host": "the signature does not verify",
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_or_badly_signed_post_is_refused_and_changes_nothing(client, remote, forgery):
    """Refused with 401 for the right reason, before anything is stored (only the sender's
    public account may be cached: it is what their server publishes)."""
    make_article("Something to like")
    before = state()
    body, headers = _forgeries(remote)[forgery]()
    if forgery == "for another host":
        headers["host"] = "testserver"
    response = deliver(client, body, headers)
    assert response.status_code == 401
    assert FORGERIES[forgery] in response.content.decode()
    assert state() == before


def test_a_key_that_cannot_be_fetched_in_time_is_refused(client, remote, settings):
    settings.FEDERATION_OPTIONS["FETCH_TIMEOUT"] = 0.5
    remote.mode = "hang"
    response = deliver(client, *remote.signed(INBOX, follow_of(remote)))
    assert response.status_code == 401
    assert b"no answer within 0.5 s" in response.content
    assert state() == (0, 0, 0)


def test_a_huge_actor_document_is_not_read(client, remote, settings):
    settings.FEDERATION_OPTIONS["MAX_DOCUMENT_BYTES"] = 20_000
    remote.padding = 50_000
    response = deliver(client, *remote.signed(INBOX, follow_of(remote)))
    assert response.status_code == 401 and b"limit is 20000" in response.content


def test_loopback_is_refused_unless_allowed(remote, settings):
    settings.FEDERATION_OPTIONS["ALLOW_LOOPBACK"] = False
    with pytest.raises(fetch.Unreachable, match="not a public address"):
        remote_accounts.actor(remote.actor("reader"))
    assert remote.requests == []  # refused before connecting


@pytest.mark.parametrize(
    "address",
    ["http://10.1.2.3/x", "http://192.168.1.1/x", "http://[::1]/x", "http://169.254.169.254/x"],
)
def test_private_addresses_are_never_fetched(federating, address):
    with pytest.raises(fetch.Unreachable):
        fetch.request("GET", address, headers={}, timeout=1, limit=100)


def test_fetched_accounts_are_cached(client, remote):
    deliver(client, *remote.signed(INBOX, follow_of(remote)))
    deliver(client, *remote.signed(INBOX, {**follow_of(remote), "id": f"{remote.base}/f/2"}))
    assert sum(r.method == "GET" for r in remote.requests) == 1
    assert RemoteActor.objects.count() == 1


def test_a_new_key_is_fetched_when_the_old_one_fails(client, remote):
    deliver(client, *remote.signed(INBOX, follow_of(remote)))
    remote.key = new_key()  # the account rotated its key
    RemoteActor.objects.update(fetched_at=timezone.now() - timedelta(minutes=2))
    response = deliver(client, *remote.signed(INBOX, {**follow_of(remote), "id": "x:2"}))
    assert response.status_code == 202
    assert sum(r.method == "GET" for r in remote.requests) == 2


def reaction(remote, kind, story, n=1):
    return {
        "@context": AS,
        "id": f"{remote.base}/{kind.lower()}s/{n}",
        "type": kind,
        "actor": remote.actor("reader"),
        "object": story,
    }


def test_likes_and_boosts_are_counted_and_undone(client, remote):
    article = make_article("Worth a like")
    by_id = f"http://testserver/ap/articles/{article.pk}/1"
    by_page = f"http://testserver/news/{article.slug}/"
    like = reaction(remote, "Like", by_id)
    for activity in (like, reaction(remote, "Announce", by_page), like):
        assert deliver(client, *remote.signed(INBOX, activity)).status_code == 202
    assert sorted(Reaction.objects.values_list("kind", flat=True)) == ["boost", "like"]
    undo = {"@context": AS, "id": "u1", "type": "Undo", "actor": remote.actor("reader")}
    deliver(client, *remote.signed(INBOX, {**undo, "object": like}))
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["boost"]


def test_reactions_to_what_is_not_a_live_story_are_ignored(client, remote):
    draft = make_article("Draft", draft=True)
    for story in (f"http://testserver/ap/articles/{draft.pk}/1", "https://elsewhere.test/x"):
        response = deliver(client, *remote.signed(INBOX, reaction(remote, "Like", story)))
        assert response.status_code == 202 and response.content == b"ignored"
    assert not Reaction.objects.exists()


def test_an_account_deleted_stops_following_and_its_reactions_go(client, remote):
    article = make_article("Liked by a leaver")
    deliver(client, *remote.signed(INBOX, follow_of(remote)))
    like = reaction(remote, "Like", f"http://testserver/ap/articles/{article.pk}/1")
    deliver(client, *remote.signed(INBOX, like))
    delete = {
        "@context": AS,
        "id": f"{remote.actor('reader')}#delete",
        "type": "Delete",
        "actor": remote.actor("reader"),
        "object": remote.actor("reader"),
    }
    assert deliver(client, *remote.signed(INBOX, delete)).status_code == 202
    assert not Follower.objects.exists() and not Reaction.objects.exists()


def test_a_follow_for_someone_else_is_a_bad_request(client, remote):
    follow = {**follow_of(remote), "object": "http://testserver/ap/someone"}
    response = deliver(client, *remote.signed(INBOX, follow))
    assert response.status_code == 400 and not Follower.objects.exists()


def test_a_huge_body_is_refused_before_reading(client, remote, settings):
    settings.FEDERATION_OPTIONS["MAX_DOCUMENT_BYTES"] = 1000
    follow = {**follow_of(remote), "padding": "x" * 2000}
    assert deliver(client, *remote.signed(INBOX, follow)).status_code == 413
    assert remote.requests == []


def test_get_is_not_allowed(client, federating):
    assert client.get("/ap/inbox").status_code == 405
