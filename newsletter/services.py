"""Every write to the newsletter's subscribers goes through these functions."""

from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from newsletter import tokens
from newsletter.addresses import normalize_address
from newsletter.models import ConsentRecord, Subscriber
from newsletter.ratelimit import client_network
from newsletter.tasks import send_signup_email

Status = Subscriber.Status
# Addresses a confirmation link can no longer bring back; a suppressed address keeps its
# status (and the reason) when its reader also unsubscribes.
GONE = (Status.UNSUBSCRIBED, Status.SUPPRESSED)


class InvalidLink(Exception):
    """A confirm or unsubscribe link that is forged, expired or no longer applies."""

    def __init__(self, *, expired=False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _send_on_commit(subscriber, kind, later=None):
    """Queue the email once committed, or hand it to `later` then (see subscription_request)."""
    job = partial(send_signup_email.enqueue, subscriber.pk, kind)
    transaction.on_commit(job if later is None else partial(later, job))


def _locked_subscriber(address, now):
    """The row for `address`, locked until commit; created when new. Concurrent signups of the
    same new address meet at the unique index: the loser waits, then locks the winner's row."""
    rows = Subscriber.objects.select_for_update().with_address(address)
    try:
        return rows.get()
    except Subscriber.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return Subscriber.objects.create(email=address, created_at=now, status_changed_at=now)
    except IntegrityError:
        return rows.get()


def public_source(source):
    """The page a signup came from, as its consent record may keep it: a path of this site,
    without query or fragment, and without the key of a page reached through a token (a
    preview link, a confirm or unsubscribe link), which would open that page to whoever reads
    the record. Anything else is kept as '' (unknown)."""
    if not (source or "").isprintable():  # urlsplit() would drop a line break silently
        return ""
    parts = urlsplit(source)
    path = parts.path
    if parts.scheme or parts.netloc or not path.startswith("/"):
        return ""
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    if match.app_name == "admin" or len(path) > 200:
        return ""
    token = match.kwargs.get("token")
    return path.split(token, 1)[0] if token else path


def subscription_request(*, email, source, pitch, ip, later=None):
    """Record a signup and its consent, and queue the right email (at most one an hour per
    address). Pending and unsubscribed addresses get a confirmation link; confirmed ones stay
    confirmed and get a short reminder instead. `later`, when given, receives the queueing of
    the email as a callable once committed, for the caller to run when it chooses."""
    now = timezone.now()
    with transaction.atomic():
        subscriber = _locked_subscriber(normalize_address(email), now)
        ConsentRecord.objects.create(
            subscriber=subscriber,
            created_at=now,
            source=public_source(source),
            pitch=pitch,
            ip_network=client_network(ip),
        )
        changed = []
        if subscriber.status in GONE:  # back only through a fresh double opt-in
            subscriber.status, subscriber.status_changed_at = Status.PENDING, now
            changed += ["status", "status_changed_at"]
        last = subscriber.signup_emailed_at
        interval = timedelta(seconds=settings.NEWSLETTER_ADDRESS_EMAIL_INTERVAL)
        if last is None or now - last >= interval:
            subscriber.signup_emailed_at = now
            changed.append("signup_emailed_at")
            kind = "already_subscribed" if subscriber.status == Status.CONFIRMED else "confirm"
            _send_on_commit(subscriber, kind, later)
        if changed:
            subscriber.save(update_fields=changed)
    return subscriber


def _subscriber_id(token, read):
    try:
        return read(token)
    except signing.SignatureExpired:
        raise InvalidLink(expired=True) from None
    except signing.BadSignature:
        raise InvalidLink() from None


def _confirmable(token, subscribers):
    """The subscriber a confirmation link is for. Raises InvalidLink when forged, expired, the
    address has since left, or the link was sent before the address left and signed up again
    (while confirmed, a repeat of the link that confirmed it only shows so)."""
    pk, stamp = _subscriber_id(token, tokens.confirm_link)
    subscriber = subscribers.filter(pk=pk).first()
    if subscriber is None or subscriber.status in GONE:
        raise InvalidLink()
    if subscriber.status == Status.PENDING and stamp != tokens.status_stamp(subscriber):
        raise InvalidLink()
    return subscriber


def confirm_link_subscriber(*, token):
    """The subscriber a confirmation link is for, without changing anything (mail scanners
    follow links). Raises InvalidLink as _confirmable() says."""
    return _confirmable(token, Subscriber.objects.all())


def subscription_confirm(*, token):
    """Confirm the subscriber; a repeat changes nothing and sends no second welcome."""
    now = timezone.now()
    with transaction.atomic():
        subscriber = _confirmable(token, Subscriber.objects.select_for_update())
        if subscriber.status == Status.PENDING:
            subscriber.status = Status.CONFIRMED
            subscriber.confirmed_at = subscriber.status_changed_at = now
            subscriber.save(update_fields=["status", "confirmed_at", "status_changed_at"])
            latest = subscriber.consent_records.filter(confirmed_at__isnull=True).first()
            if latest is not None:
                latest.confirmed_at = now
                latest.save(update_fields=["confirmed_at"])
            _send_on_commit(subscriber, "welcome")
    return subscriber


def unsubscribe_link_subscriber(*, token):
    """The subscriber an unsubscribe link is for, without changing anything."""
    pk = _subscriber_id(token, tokens.unsubscribe_subscriber_id)
    subscriber = Subscriber.objects.filter(pk=pk).first()
    if subscriber is None:
        raise InvalidLink()
    return subscriber


def subscription_cancel(*, token):
    """Unsubscribe at once, whatever the current status; repeating changes nothing."""
    pk = _subscriber_id(token, tokens.unsubscribe_subscriber_id)
    now = timezone.now()
    Subscriber.objects.filter(pk=pk).exclude(status__in=GONE).update(
        status=Status.UNSUBSCRIBED, unsubscribed_at=now, status_changed_at=now
    )
    return unsubscribe_link_subscriber(token=token)


def subscribers_unsubscribe(*, subscribers):
    """Unsubscribe every subscriber in the queryset (an editor's action); returns how many."""
    now = timezone.now()
    return subscribers.exclude(status__in=GONE).update(
        status=Status.UNSUBSCRIBED, unsubscribed_at=now, status_changed_at=now
    )
