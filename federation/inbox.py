"""What other servers send the newsroom, once its signature has been checked (views.inbox):
follows and their undoing, accounts deleted, likes and boosts of stories."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve

from articles.models import Article
from federation import documents, outbox
from federation.models import Follower, Reaction, RemoteActor

REACTIONS = {"Like": Reaction.Kind.LIKE, "Announce": Reaction.Kind.BOOST}


class Rejected(Exception):
    """The activity is signed but makes no sense for us (400); the message says why."""


def _id(value):
    """An activity field that may be an address or an object with an `id`."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def handle(activity, sender):
    """Act on `activity`, sent and signed by `sender` (a RemoteActor). Unknown kinds are
    accepted and ignored, as the protocol asks."""
    kind = activity.get("type")
    if kind == "Follow":
        return follow(activity, sender)
    if kind == "Undo":
        return undo(activity.get("object"), sender)
    if kind == "Delete":
        return account_deleted(activity, sender)
    if kind in REACTIONS:
        return react(activity, sender, REACTIONS[kind])
    return "ignored"


def follow(activity, sender):
    if _id(activity.get("object")) != documents.actor_id():
        raise Rejected("this Follow is not for this account")
    follow_id = _id(activity)
    if not follow_id:
        raise Rejected("the Follow has no id")
    with transaction.atomic():
        Follower.objects.update_or_create(actor=sender, defaults={"follow_id": follow_id})
        # Answered again on a repeated Follow: the other side may have lost our Accept.
        outbox.record_accept(
            follow={
                "id": follow_id,
                "type": "Follow",
                "actor": sender.url,
                "object": documents.actor_id(),
            },
            inbox=sender.inbox,
        )
    return "followed"


def undo(undone, sender):
    if not isinstance(undone, dict) or _id(undone.get("actor")) not in ("", sender.url):
        raise Rejected("an Undo must carry the activity it undoes, by the same account")
    kind, undone_id = undone.get("type"), _id(undone)
    if kind == "Follow":
        Follower.objects.filter(actor=sender).delete()
        return "unfollowed"
    if kind in REACTIONS:
        Reaction.objects.filter(activity_id=undone_id, actor_url=sender.url).delete()
        return "reaction undone"
    return "ignored"


def account_deleted(activity, sender):
    if _id(activity.get("object")) != sender.url:
        return "ignored"  # a post of theirs was deleted: we keep none
    Reaction.objects.filter(actor_url=sender.url).delete()
    RemoteActor.objects.filter(pk=sender.pk).delete()  # and their following, with it
    return "account deleted"


def story_for(address):
    """The published article an address names: its object id or its page."""
    parts, site = urlsplit(address), urlsplit(settings.SITE_URL)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    stories = Article.objects.published()
    if match.view_name == "federation:article":
        return stories.filter(pk=match.kwargs["pk"]).first()
    if match.view_name in ("articles:article", "federation:article-page"):
        return stories.filter(slug=match.kwargs["slug"]).first()
    return None


def react(activity, sender, kind):
    article = story_for(_id(activity.get("object")))
    activity_id = _id(activity)
    if article is None or not activity_id:
        return "ignored"
    try:
        with transaction.atomic():
            Reaction.objects.get_or_create(
                article=article,
                kind=kind,
                actor_url=sender.url,
                defaults={"activity_id": activity_id},
            )
    except IntegrityError:  # the same Like id again, for another story: keep the first
        return "ignored"
    return "counted"


def actor_of(activity):
    return _id(activity.get("actor"))
