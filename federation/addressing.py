"""Addressing, run by workers: an activity whose time has come gets one `Delivery` row per
inbox (a shared inbox once per server). A story is read when it goes out, so a scheduled one
carries what it says at its publish time, and one withdrawn meanwhile never goes out."""

from django.db import transaction
from django.utils import timezone

from articles.models import Article
from federation import documents
from federation.models import Activity, Delivery, Follower, Server
from federation.remote import host

Kind, Status = Activity.Kind, Activity.Status


def _payload(activity):
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
    story = documents.article_object(article, activity.generation, updated=timezone.now())
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
    payload = _payload(activity)
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
        Activity.objects.filter(status=Status.WAITING)
        .order_by("not_before")
        .values_list("not_before", flat=True)
        .first()
    )
