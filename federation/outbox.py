"""What the newsroom tells the social web, written down as `Activity` rows.

Recording is all a request does (a row or two, after the article's change has committed);
workers address each activity when its time comes (`address_due`) and send it
(federation.delivery). A story is read when it goes out, so a scheduled one carries what it
says at its publish time, and one withdrawn meanwhile never goes out.
"""

import uuid
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import Article
from federation import documents
from federation.models import Activity, Delivery, Follower, Server, Switch
from federation.remote import host

Kind, Status = Activity.Kind, Activity.Status
ANNOUNCING = (Kind.CREATE, Kind.DELETE)


def _switch_for_update():
    Switch.load()
    return Switch.objects.select_for_update().get(pk=1)


def _last_announcement(article_id):
    """The story's latest Create or Delete that was not withdrawn (None: never announced)."""
    return (
        Activity.objects.filter(article_id=article_id, kind__in=ANNOUNCING)
        .exclude(status=Status.WITHDRAWN)
        .order_by("-pk")
        .first()
    )


def _wake_on_commit(at=None):
    from federation.tasks import wake

    transaction.on_commit(partial(wake, at))


def record_article_change(*, article_id, change):
    """Write what followers must be told about `change` (articles.signals.article_changed)
    to the article. Returns the activities written."""
    with transaction.atomic():
        if not _switch_for_update().enabled:  # the lock also orders changes to one story
            return []
        article = Article.objects.filter(pk=article_id).only("status", "published_at").first()
        public = article is not None and article.status == Article.Status.PUBLISHED
        last = _last_announcement(article_id)
        announced = last is not None and last.kind == Kind.CREATE
        written = []

        def write(kind, generation, **fields):
            written.append(
                Activity.objects.create(
                    kind=kind, article_id=article_id, generation=generation, **fields
                )
            )

        if change in ("unpublished", "deleted") or not public:
            if announced and last.status == Status.WAITING:
                last.status = Status.WITHDRAWN  # never went out: nothing to take back
                last.save(update_fields=["status"])
            elif announced:
                write(Kind.DELETE, last.generation)
        elif not announced:
            if change == "published":  # not an edit of a story published before federation
                generation = last.generation + 1 if last else 1
                write(Kind.CREATE, generation, not_before=article.published_at)
        elif last.status == Status.WAITING:
            last.not_before = article.published_at  # rescheduled before it went out
            last.save(update_fields=["not_before"])
            written.append(last)
        elif article.published_at > timezone.now():
            # A live story moved back to a later time: off timelines now, back at that time.
            write(Kind.DELETE, last.generation)
            write(Kind.CREATE, last.generation + 1, not_before=article.published_at)
        elif change == "updated":
            write(Kind.UPDATE, last.generation)
        # else: "published" again for a story followers already have: nothing to tell.
        for activity in written:
            _wake_on_commit(activity.not_before)
    return written


def record_accept(*, follow, inbox):
    """Answer a Follow (the activity as received) with an Accept to the follower's inbox."""
    key = uuid.uuid4()
    activity = Activity.objects.create(
        kind=Kind.ACCEPT, uuid=key, inbox=inbox, payload=documents.accept(follow, key)
    )
    _wake_on_commit()
    return activity


def record_key_change(*, public_pem):
    """Tell followers' servers the account has a new key (they fetch it again anyway when a
    signature does not verify; this saves them a failed delivery)."""
    key = uuid.uuid4()
    activity = Activity.objects.create(
        kind=Kind.UPDATE_ACTOR, uuid=key, payload=documents.update_actor(public_pem, key)
    )
    _wake_on_commit()
    return activity


# --- Addressing: run by workers -----------------------------------------------------------


def _payload(activity, now):
    """The JSON to send, or None when the story is not live (any more, or not yet)."""
    if activity.kind == Kind.DELETE:
        return documents.delete(activity.article_id, activity.generation)
    if activity.kind not in (Kind.CREATE, Kind.UPDATE):
        return activity.payload
    article = Article.objects.published().for_page().filter(pk=activity.article_id).first()
    if article is None:
        return None
    if activity.kind == Kind.CREATE:
        return documents.create(documents.article_object(article, activity.generation))
    story = documents.article_object(article, activity.generation, updated=activity.created_at)
    return documents.update(story, activity.uuid)


def _inboxes(activity):
    """(inbox, host) pairs: the one recipient, or every follower's, a shared inbox once."""
    if activity.inbox:
        return {activity.inbox}
    pairs = Follower.objects.values_list("actor__shared_inbox", "actor__inbox")
    return {shared or own for shared, own in pairs}


def _servers(hosts):
    known = dict(Server.objects.filter(domain__in=hosts).values_list("domain", "pk"))
    for missing in set(hosts) - set(known):
        known[missing] = Server.objects.get_or_create(domain=missing)[0].pk
    return known


def _address(activity, now):
    payload = _payload(activity, now)
    if payload is None:
        later = Article.objects.filter(
            pk=activity.article_id, status=Article.Status.PUBLISHED, published_at__gt=now
        ).values_list("published_at", flat=True)
        if later and activity.kind == Kind.CREATE:
            activity.not_before = later[0]  # moved to a later time: wait for it
            activity.save(update_fields=["not_before"])
            return 0
        activity.status = Status.WITHDRAWN
        activity.save(update_fields=["status"])
        return 0
    inboxes = _inboxes(activity)
    servers = _servers({host(inbox) for inbox in inboxes})
    Delivery.objects.bulk_create(
        [
            Delivery(activity=activity, inbox=inbox, server_id=servers[host(inbox)])
            for inbox in sorted(inboxes)
        ],
        ignore_conflicts=True,  # one row per activity and inbox, whoever addresses it
        batch_size=1000,
    )
    activity.payload, activity.status, activity.addressed_at = payload, Status.ADDRESSED, now
    activity.save(update_fields=["payload", "status", "addressed_at"])
    return len(inboxes)


def address_due(*, limit=20):
    """Give the activities whose time has come their deliveries. Returns how many rows."""
    now = timezone.now()
    with transaction.atomic():
        due = (
            Activity.objects.filter(status=Status.WAITING, not_before__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("not_before", "pk")[:limit]
        )
        return sum(_address(activity, now) for activity in due)


def next_waiting():
    """When the next activity waiting for its time is due (None: nothing waits)."""
    return (
        Activity.objects.filter(Q(status=Status.WAITING))
        .order_by("not_before")
        .values_list("not_before", flat=True)
        .first()
    )
