"""A story's life reaching followers, through the write path (articles/services.py): Create on
publish, Update on an edit or correction, Delete on unpublish or deletion, each signed; a
shared inbox once per server; a scheduled story not before its time; nothing sent twice
(PostgreSQL, fake servers on 127.0.0.1)."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles import services
from articles.corrections import correction_publish
from articles.models import Article
from articles.signals import article_changed
from federation.delivery import drain
from federation.keys import current_key
from federation.models import Activity, Delivery, Follower, RemoteActor, Server
from tests.factories import make_article, make_topic
from tests.federation.fediverse import FakeInstance, verify

pytestmark = pytest.mark.django_db


def followed_by(instance, *names):
    """Followers on `instance`, stored as a Follow would store them."""
    server, _ = Server.objects.get_or_create(domain=instance.domain)
    for name in names:
        document = instance.actor_document(name)
        actor = RemoteActor.objects.create(
            url=document["id"],
            server=server,
            key_id=document["publicKey"]["id"],
            public_key_pem=document["publicKey"]["publicKeyPem"],
            inbox=document["inbox"],
            shared_inbox=document.get("endpoints", {}).get("sharedInbox", ""),
            handle=f"@{name}@127.0.0.1",
            fetched_at=timezone.now(),
        )
        Follower.objects.create(actor=actor, follow_id=f"{instance.base}/follows/{name}")


@pytest.fixture
def lone(federating):
    """A server without a shared inbox: each of its followers is posted to."""
    with FakeInstance(names=("ana", "bo"), shared_inbox=False) as instance:
        yield instance


def posts_of(instance, kind):
    return [p for p in instance.posts() if p.json["type"] == kind]


def object_id(article, generation=1):
    return f"http://testserver/ap/articles/{article.pk}/{generation}"


def test_publish_delivers_a_signed_create_once_per_shared_inbox(remote, lone, committed):
    followed_by(remote, "reader", "critic")
    followed_by(lone, "ana", "bo")
    with committed():
        article = make_article("Open weights for all", topics=[make_topic("Open Models")])
    assert remote.posts() == []  # the write only recorded it
    report = drain()
    assert report.sent == 3
    [shared] = remote.wait_for_posts(1)
    assert shared.path == "/inbox"
    assert sorted(p.path for p in lone.wait_for_posts(2)) == [
        "/users/ana/inbox",
        "/users/bo/inbox",
    ]
    create = shared.json
    assert create["type"] == "Create" and create["actor"] == "http://testserver/ap/actor"
    assert create["object"]["id"] == object_id(article)
    assert create["object"]["name"] == "Open weights for all"
    assert create["object"]["tag"][0]["name"] == "#OpenModels"
    assert verify(shared, current_key().public_pem) == "http://testserver/ap/actor#main-key"

    # Nothing twice: the announcement again, publishing again, more drains: nothing more.
    with committed():
        article_changed.send(sender=Article, article_id=article.pk, change="published")
        services.article_publish(article=article)
    drain()
    drain()
    assert len(remote.posts()) == 1 and len(lone.posts()) == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        row = Delivery.objects.first()
        Delivery.objects.create(activity=row.activity, inbox=row.inbox, server=row.server)


def test_edit_sends_update_unpublish_delete_and_a_new_publication_a_new_object(remote, committed):
    followed_by(remote, "reader")
    with committed():
        article = make_article("First take")
    drain()

    with committed():
        services.article_update(article=article, headline="Second take")
    drain()
    [update] = posts_of(remote, "Update")
    assert update.json["object"]["name"] == "Second take"
    assert update.json["object"]["id"] == object_id(article)
    assert update.json["object"]["updated"] > update.json["object"]["published"]
    assert verify(update, current_key().public_pem)

    with committed():
        services.article_unpublish(article=article)
    drain()
    [delete] = posts_of(remote, "Delete")
    assert delete.json["object"] == {"id": object_id(article), "type": "Tombstone"}
    assert verify(delete, current_key().public_pem)

    with committed():
        services.article_publish(article=article)
    drain()
    creates = posts_of(remote, "Create")
    assert [c.json["object"]["id"] for c in creates] == [object_id(article), object_id(article, 2)]


def test_a_correction_reaches_followers_as_an_update(remote, committed):
    followed_by(remote, "reader")
    with committed():
        article = make_article("Prices announced")
    drain()
    with committed():
        correction_publish(article=article, text="The price is **$24**, not $42.")
    drain()
    [update] = posts_of(remote, "Update")
    assert "<strong>$24</strong>, not $42." in update.json["object"]["content"]


def test_quick_successive_edits_reach_followers_as_one_update(remote, committed):
    followed_by(remote, "reader")
    with committed():
        article = make_article("Draft one")
    drain()
    with committed():
        services.article_update(article=article, headline="Draft two")
        services.article_update(article=article, headline="Draft three")
    drain()
    [update] = posts_of(remote, "Update")
    assert update.json["object"]["name"] == "Draft three"


def test_a_deleted_story_is_withdrawn(remote, committed):
    followed_by(remote, "reader")
    with committed():
        article = make_article("Gone soon")
    drain()
    withdrawn = object_id(article)
    with committed():
        services.article_delete(article=article)
    drain()
    [delete] = posts_of(remote, "Delete")
    assert delete.json["object"]["id"] == withdrawn


def test_a_scheduled_story_reaches_no_one_before_its_time(remote, committed):
    followed_by(remote, "reader")
    with committed():
        article = make_article("At nine sharp", hours_ago=-1)
    report = drain()
    assert remote.posts() == [] and report.sent == 0
    waiting = Activity.objects.get(kind="Create")
    assert waiting.status == "waiting" and waiting.not_before == article.published_at
    assert report.next_due == article.published_at  # a deferred worker wakes then

    # Its time comes (the clock moved on): it goes out, as it reads then.
    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - timedelta(seconds=1), headline="At nine, as edited"
    )
    Activity.objects.filter(pk=waiting.pk).update(not_before=timezone.now())
    drain()
    [create] = remote.wait_for_posts(1)
    assert create.json["object"]["name"] == "At nine, as edited"


def test_a_scheduled_story_withdrawn_before_its_time_never_goes_out(remote, committed):
    followed_by(remote, "reader")
    with committed():
        article = make_article("Never mind", hours_ago=-1)
    with committed():
        services.article_unpublish(article=article)
    Activity.objects.update(not_before=timezone.now())
    drain()
    assert remote.posts() == []
    assert list(Activity.objects.values_list("kind", "status")) == [("Create", "withdrawn")]


def test_a_story_rescheduled_when_due_waits_for_its_new_time(remote, committed):
    followed_by(remote, "reader")
    with committed():
        article = make_article("Moved", hours_ago=-1)
    Activity.objects.update(not_before=timezone.now())  # due by its old time, moved since
    drain()
    assert remote.posts() == []
    assert Activity.objects.get().not_before == article.published_at


def test_an_edit_to_a_story_followers_never_got_sends_nothing(remote, committed):
    followed_by(remote, "reader")
    article = make_article("Before federation")  # its announcement never ran
    with committed():
        services.article_update(article=article, headline="Edited after")
    drain()
    assert remote.posts() == [] and not Activity.objects.exists()
