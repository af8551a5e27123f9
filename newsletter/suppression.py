"""Addresses we stop mailing, and why. Every report about our mail after it left (a refusal
while sending, a bounce or complaint from an email service's webhook, a delivery status
notification) goes through `record_event()`:

- a permanent failure (an SMTP 5xx, a hard bounce) suppresses the address at once;
- a spam complaint unsubscribes and suppresses it;
- temporary failures suppress it once NEWSLETTER_SOFT_FAIL_EDITIONS editions in a row failed
  for it that way (a full mailbox or a server down for a day should not cost a reader; one
  down for three editions is as good as gone);
- an event already recorded (same `event_id`) changes nothing, so retries are harmless.

A suppressed subscriber gets no digest (only confirmed subscribers are queued or sent) and no
signup email; only a new signup, confirmed from the email it sends, brings the address back
(newsletter/services.py).
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from newsletter.mail_events import MailEvent
from newsletter.models import Delivery, Subscriber

Kind = MailEvent.Kind
SOFT = Q(kind__in=[Kind.BOUNCE, Kind.DEFERRAL], permanent=False)


@dataclass
class Recorded:
    event: MailEvent
    created: bool
    suppressed: bool = False


def record_event(
    *,
    kind,
    address,
    provider,
    event_id,
    permanent=False,
    detail="",
    occurred_at=None,
    delivery=None,
    subscriber=None,
):
    """Record one report about our mail and suppress the address when it calls for it."""
    now = timezone.now()
    with transaction.atomic():
        if subscriber is None and delivery is not None:
            subscriber = Subscriber(pk=delivery.subscriber_id)
        rows = Subscriber.objects.select_for_update()
        if subscriber is not None:
            subscriber = rows.filter(pk=subscriber.pk).first()
        else:
            subscriber = rows.with_address(address).first()
        event = MailEvent(
            subscriber=subscriber,
            delivery=delivery,
            address=address[:254],
            kind=kind,
            permanent=permanent and kind != Kind.DEFERRAL,
            detail=detail[:5000],
            provider=provider[:30],
            event_id=event_id[:200],
            occurred_at=occurred_at or now,
            recorded_at=now,
        )
        try:
            with transaction.atomic():
                event.save()
        except IntegrityError:
            return Recorded(MailEvent.objects.get(event_id=event.event_id), created=False)
        reason = _reason(event, subscriber)
        if reason is None or subscriber is None:
            return Recorded(event, created=True)
        return Recorded(event, created=True, suppressed=_suppress(subscriber, event, reason, now))


def delivery_failed(*, delivery, detail, permanent):
    """A digest refused while sending (newsletter/delivery.py), after its last try."""
    return record_event(
        kind=Kind.BOUNCE if permanent else Kind.DEFERRAL,
        address=delivery.subscriber.email,
        provider="smtp",
        event_id=f"smtp:delivery:{delivery.pk}",
        permanent=permanent,
        detail=detail,
        delivery=delivery,
    )


def _reason(event, subscriber):
    """Why this event suppresses its address, or None when it does not (yet)."""
    if event.kind == Kind.COMPLAINT:
        return f"Spam complaint reported by {event.provider}"
    if event.permanent:
        return f"Bounced ({event.provider}): {event.detail}"
    if subscriber is not None and soft_failures_in_a_row(subscriber):
        editions = settings.NEWSLETTER_SOFT_FAIL_EDITIONS
        return (
            f"Failed temporarily in {editions} editions in a row ({event.provider}): {event.detail}"
        )
    return None


def soft_failures_in_a_row(subscriber):
    """True when each of the subscriber's latest NEWSLETTER_SOFT_FAIL_EDITIONS settled digests
    met a temporary failure (a delivered digest in between breaks the run)."""
    limit = settings.NEWSLETTER_SOFT_FAIL_EDITIONS
    latest = list(
        Delivery.objects.filter(subscriber=subscriber)
        .exclude(status__in=Delivery.PENDING)
        .order_by("-edition__date")
        .values_list("pk", flat=True)[:limit]
    )
    if len(latest) < limit:
        return False
    failed = MailEvent.objects.filter(SOFT, delivery__in=latest).values("delivery").distinct()
    return failed.count() == limit


def _suppress(subscriber, event, reason, now):
    if subscriber.status == Subscriber.Status.SUPPRESSED:
        return False
    changed = ["status", "status_changed_at", "suppressed_at", "suppressed_reason"]
    if event.kind == Kind.COMPLAINT:
        subscriber.unsubscribed_at = now  # a complaint is the strongest unsubscribe there is
        changed.append("unsubscribed_at")
    subscriber.status = Subscriber.Status.SUPPRESSED
    subscriber.status_changed_at = subscriber.suppressed_at = now
    subscriber.suppressed_reason = reason[:300]
    subscriber.save(update_fields=changed)
    return True
