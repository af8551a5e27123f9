"""What the newsroom tells the social web, written down as `Activity` rows.

Recording is all a request does (a row or two, after the article's change has committed);
workers address each activity when its time comes (federation.addressing) and send it
(federation.delivery).
"""

import uuid
from functools import partial

from django.db import transaction
from django.utils import timezone

from articles.models import Article
from federation import documents
from federation.models import Activity, Switch
from federation.tasks import wake

Kind, Status = Activity.Kind, Activity.Status
ANNOUNCING = (Kind.CREATE, Kind.DELETE)


def _switch_for_update():
    return Switch.objects.select_for_update().get_or_create(pk=1)[0]


def _last_announcement(article_id):
    """The story's latest Create or Delete that was not withdrawn (None: never announced)."""
    return (
        Activity.objects.filter(article_id=article_id, kind__in=ANNOUNCING)
        .exclude(status=Status.WITHDRAWN)
        .only("kind", "status", "generation", "not_before")
        .order_by("-pk")
        .first()
    )


def _update_waiting(article_id, generation):
    """An Update not yet addressed reads the story when it goes out: it will carry this edit
    too, so quick successive edits reach followers as one."""
    return Activity.objects.filter(
        article_id=article_id, generation=generation, kind=Kind.UPDATE, status=Status.WAITING
    ).exists()


def _wake_on_commit(at=None):
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
        elif change == "updated" and not _update_waiting(article_id, last.generation):
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
