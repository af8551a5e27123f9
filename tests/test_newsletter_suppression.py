"""Bounces and complaints suppress: a 5xx from our test SMTP server (aiosmtpd) suppresses the
address at once, temporary refusals in NEWSLETTER_SOFT_FAIL_EDITIONS editions in a row do too,
a complaint unsubscribes and suppresses; a suppressed address is never mailed again until a
fresh double opt-in, repeats of an event change nothing, and the admin shows why and when."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from newsletter import editions, services, suppression, tokens
from newsletter.delivery import run_worker
from newsletter.mail_events import MailEvent
from newsletter.models import Delivery, Edition, EditionArticle, Subscriber
from newsletter.tasks import send_signup_email
from tests.conftest import Inbox, _AnyPortController, _Handler
from tests.factories import make_article, make_subscriber

pytestmark = pytest.mark.django_db
Status = Subscriber.Status


class _Refusing(_Handler):
    """550 for `gone@…`, 451 for `full@…` while `full_until_edition` says so."""

    def __init__(self, inbox):
        super().__init__(inbox)
        self.full = True

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("gone@"):
            return "550 5.1.1 <gone@example.com>: mailbox unknown"
        if address.startswith("full@") and self.full:
            return "452 4.2.2 Mailbox full, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    handler = _Refusing(inbox)
    controller = _AnyPortController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    settings.NEWSLETTER_MAX_ATTEMPTS = 1  # a 4xx is final for its edition at once
    settings.NEWSLETTER_SOFT_FAIL_EDITIONS = 3
    settings.NEWSLETTER_WORKER_PATIENCE = 2
    yield inbox, handler
    controller.stop()


def edition_days_ago(days):
    """A sent-ready edition of its own day carrying one published article."""
    day = timezone.localdate() - timedelta(days=days)
    article = make_article(f"Story of day {days}", hours_ago=days * 24 + 1)
    edition = Edition.objects.create(date=day, subject=f"Day {days}", cut_off=timezone.now())
    EditionArticle.objects.create(edition=edition, article=article)
    return edition


def send(edition):
    editions.send_edition(edition_id=edition.pk, workers=0)
    run_worker(edition.pk)
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT
    return {d.subscriber.email: d for d in edition.deliveries.select_related("subscriber")}


def received(inbox):
    return sorted(a for envelope in inbox.envelopes for a in envelope)


def test_a_5xx_while_sending_suppresses_at_once_and_nothing_is_sent_again(smtp):
    inbox, _ = smtp
    gone, reader = make_subscriber("gone@example.com"), make_subscriber("reader@example.com")

    rows = send(edition_days_ago(1))

    assert rows["gone@example.com"].status == Delivery.Status.FAILED
    gone.refresh_from_db()
    assert gone.status == Status.SUPPRESSED and gone.suppressed_at is not None
    assert "550 5.1.1" in gone.suppressed_reason and "mailbox unknown" in gone.suppressed_reason
    (event,) = gone.mail_events.all()
    assert (event.kind, event.permanent, event.provider) == ("bounce", True, "smtp")
    assert event.delivery == rows["gone@example.com"]
    reader.refresh_from_db()
    assert reader.status == Status.CONFIRMED

    later = send(edition_days_ago(0))
    assert "gone@example.com" not in later  # never queued again
    assert received(inbox) == ["reader@example.com", "reader@example.com"]


def test_temporary_failures_suppress_after_three_editions_in_a_row(smtp):
    inbox, handler = smtp
    full = make_subscriber("full@example.com")
    make_subscriber("reader@example.com")

    send(edition_days_ago(6))
    send(edition_days_ago(5))
    handler.full = False
    send(edition_days_ago(4))  # delivered: the run starts again
    handler.full = True
    send(edition_days_ago(3))
    send(edition_days_ago(2))
    full.refresh_from_db()
    assert full.status == Status.CONFIRMED
    assert full.mail_events.filter(kind="deferral", permanent=False).count() == 4

    send(edition_days_ago(1))

    full.refresh_from_db()
    assert full.status == Status.SUPPRESSED
    assert full.suppressed_reason.startswith("Failed temporarily in 3 editions in a row (smtp)")
    assert "452 4.2.2" in full.suppressed_reason
    handler.full = False
    assert "full@example.com" not in send(edition_days_ago(0))
    assert received(inbox).count("full@example.com") == 1  # the one delivered edition


def test_a_complaint_unsubscribes_suppresses_and_stops_every_later_email(
    smtp, django_capture_on_commit_callbacks
):
    inbox, _ = smtp
    reader = make_subscriber("reader@example.com")
    other = make_subscriber("other@example.com")
    first = send(edition_days_ago(1))

    recorded = suppression.record_event(
        kind="complaint",
        address="Reader@EXAMPLE.com",
        provider="postmark",
        event_id="postmark:spam:1",
        detail="Marked as spam",
        delivery=first["reader@example.com"],
    )
    again = suppression.record_event(
        kind="complaint",
        address="reader@example.com",
        provider="postmark",
        event_id="postmark:spam:1",
    )

    assert recorded.created and recorded.suppressed
    assert not again.created and not again.suppressed and again.event == recorded.event
    assert MailEvent.objects.count() == 1
    reader.refresh_from_db()
    assert reader.status == Status.SUPPRESSED and reader.unsubscribed_at is not None
    assert reader.suppressed_reason == "Spam complaint reported by postmark"
    # Their unsubscribe link still answers, and keeps them suppressed.
    services.subscription_cancel(token=tokens.unsubscribe_token(reader))
    reader.refresh_from_db()
    assert reader.status == Status.SUPPRESSED
    # No digest, no confirmation, no welcome, whatever comes next.
    later = send(edition_days_ago(0))
    assert set(later) == {"other@example.com"}
    with pytest.raises(services.InvalidLink):
        services.subscription_confirm(token=tokens.confirm_token(reader))
    assert received(inbox) == ["other@example.com", "other@example.com", "reader@example.com"]
    assert other.mail_events.count() == 0


def test_a_later_signup_needs_a_fresh_double_opt_in(settings, django_capture_on_commit_callbacks):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    reader = make_subscriber("reader@example.com")
    suppression.record_event(
        kind="bounce", address=reader.email, provider="dsn", event_id="dsn:1", permanent=True
    )
    reader.refresh_from_db()
    assert reader.status == Status.SUPPRESSED

    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_request(
            email="reader@example.com", source="/", pitch="Join", ip="192.0.2.1"
        )

    reader.refresh_from_db()
    assert reader.status == Status.PENDING  # not mailed the digest until confirmed again
    (message,) = mail.outbox
    token = re.search(r"/newsletter/confirm/([^/\s]+)/", message.body).group(1)
    services.subscription_confirm(token=token)
    reader.refresh_from_db()
    assert reader.status == Status.CONFIRMED
    assert reader.suppressed_at is not None  # the history stays for the admin


def test_the_subscriber_admin_shows_why_and_when(client, django_user_model):
    reader = make_subscriber("reader@example.com")
    suppression.record_event(
        kind="bounce",
        address=reader.email,
        provider="mailgun",
        event_id="mailgun:abc",
        permanent=True,
        detail="550 5.1.1 The email account that you tried to reach does not exist",
    )
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))
    page = client.get(f"/admin/newsletter/subscriber/{reader.pk}/change/").content.decode()
    assert "Suppressed" in page
    assert "Bounced (mailgun): 550 5.1.1 The email account" in page
    assert "Bounces, complaints and deferrals" in page and "mailgun:abc" in page
    listing = client.get("/admin/newsletter/mailevent/").content.decode()
    assert "reader@example.com" in listing


def test_a_5xx_to_a_signup_email_suppresses_instead_of_retrying(smtp):
    inbox, _ = smtp
    gone = make_subscriber("gone@example.com", Status.PENDING)
    reader = make_subscriber("reader@example.com", Status.PENDING)

    assert send_signup_email.call(gone.pk, "confirm") == "bounced"
    assert send_signup_email.call(reader.pk, "confirm") == "sent"

    gone.refresh_from_db()
    assert gone.status == Status.SUPPRESSED and "550 5.1.1" in gone.suppressed_reason
    assert gone.mail_events.get().provider == "smtp"
    assert send_signup_email.call(gone.pk, "confirm") == "skipped"  # never mailed again
    assert received(inbox) == ["reader@example.com"]
