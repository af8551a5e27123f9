"""Bounces that come back later over plain SMTP: each digest leaves with a VERP return path of
its own, a remote server's delivery status notification (RFC 3464) or spam report (ARF) to that
address reaches our bounce mailbox (a maildir behind a real SMTP server, aiosmtpd), and
`manage.py read_bounces` records it and suppresses; forged reports and second readings change
nothing."""

import smtplib
import time

import pytest
from aiosmtpd.handlers import Mailbox
from django.core.management import call_command

from newsletter import bounces, editions
from newsletter.delivery import run_worker
from newsletter.mail_events import MailEvent
from newsletter.models import Subscriber
from tests.conftest import _AnyPortController, _Handler, serving_smtp
from tests.factories import make_article, make_subscriber

pytestmark = pytest.mark.django_db
BOUNCES = "bounces@newsroom.test"


class _Recording(_Handler):
    """Our relay: keeps each envelope's sender too."""

    def __init__(self, inbox):
        super().__init__(inbox)
        inbox.senders = []

    async def handle_DATA(self, server, session, envelope):
        self.inbox.senders.append(envelope.mail_from)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def sent(settings):
    """Digests to two readers through our relay, with VERP return paths."""
    settings.NEWSLETTER_BOUNCE_ADDRESS = BOUNCES
    with serving_smtp(_Recording) as relay:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": relay.port, "timeout": 5},
            }
        }
        make_article("A story that will bounce", hours_ago=1)
        for address in ("gone@example.net", "reader@example.net"):
            make_subscriber(address)
        edition = editions.build_edition().edition
        editions.send_edition(edition_id=edition.pk, workers=0)
        run_worker(edition.pk)
        relay.wait_for(2)
        yield edition, relay


@pytest.fixture
def bounce_mailbox(tmp_path):
    """The bounce address's mailbox: a real SMTP server delivering into a maildir."""
    maildir = tmp_path / "bounces"
    controller = _AnyPortController(Mailbox(str(maildir)), hostname="127.0.0.1", port=0)
    controller.start()
    yield maildir, controller.port
    controller.stop()


def return_path(relay, address):
    (sender,) = [s for s, env in zip(relay.senders, relay.envelopes, strict=True) if address in env]
    return sender


def dsn(to, *, action="failed", status="5.1.1", diagnostic="smtp; 550 5.1.1 User unknown"):
    return f"""\
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: {to}
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn.{time.time_ns()}@mx.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

Your message could not be delivered.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; gone@example.net
Action: {action}
Status: {status}
Diagnostic-Code: {diagnostic}

--b1
Content-Type: text/rfc822-headers

From: Newsroom <newsletter@localhost>
To: gone@example.net
Subject: The daily

--b1--
"""


def arf(original_return_path):
    return f"""\
From: Feedback Loop <fbl@isp.example>
To: {BOUNCES}
Subject: Abuse report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="b2"

--b2
Content-Type: text/plain

A reader marked this message as spam.

--b2
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: ExampleFBL/1.0
Version: 1

--b2
Content-Type: text/rfc822-headers

Return-Path: <{original_return_path}>
From: Newsroom <newsletter@localhost>
To: reader@example.net

--b2--
"""


def deliver(port, recipient, text):
    """A remote server hands its notification to our bounce address (null sender, RFC 5321)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
        smtp.sendmail("<>", [recipient], text.encode())


def test_each_digest_leaves_with_its_own_return_path_and_our_from(sent):
    edition, relay = sent
    for delivery in edition.deliveries.select_related("subscriber"):
        path = return_path(relay, delivery.subscriber.email)
        assert path == bounces.bounce_address(delivery.pk)
        assert path.startswith("bounces+d") and path.endswith("@newsroom.test")
        assert bounces.delivery_of(path) == delivery.pk
    assert all(m["From"] == "Newsroom <newsletter@localhost>" for m in relay.messages)


def test_a_dsn_to_the_return_path_suppresses_once(sent, bounce_mailbox):
    edition, relay = sent
    maildir, port = bounce_mailbox
    path = return_path(relay, "gone@example.net")
    deliver(port, path, dsn(path))

    call_command("read_bounces", maildir=str(maildir), keep=True)
    call_command("read_bounces", maildir=str(maildir))  # the same message again

    gone = Subscriber.objects.get(email="gone@example.net")
    assert gone.status == Subscriber.Status.SUPPRESSED
    assert "5.1.1" in gone.suppressed_reason and "User unknown" in gone.suppressed_reason
    (event,) = MailEvent.objects.all()
    assert (event.kind, event.permanent, event.provider) == ("bounce", True, "dsn")
    assert event.delivery == edition.deliveries.get(subscriber=gone)
    assert Subscriber.objects.get(email="reader@example.net").status == "confirmed"
    assert not list((maildir / "new").iterdir())  # read and removed


def test_a_delay_notification_is_a_deferral(sent, bounce_mailbox):
    _, relay = sent
    maildir, port = bounce_mailbox
    path = return_path(relay, "gone@example.net")
    deliver(port, path, dsn(path, action="delayed", status="4.4.7", diagnostic="smtp; 451 later"))

    call_command("read_bounces", maildir=str(maildir))

    assert MailEvent.objects.get().kind == "deferral"
    assert Subscriber.objects.get(email="gone@example.net").status == "confirmed"


def test_a_spam_report_naming_our_return_path_is_a_complaint(sent, bounce_mailbox):
    _, relay = sent
    maildir, port = bounce_mailbox
    deliver(port, BOUNCES, arf(return_path(relay, "reader@example.net")))

    call_command("read_bounces", maildir=str(maildir))

    reader = Subscriber.objects.get(email="reader@example.net")
    assert reader.status == Subscriber.Status.SUPPRESSED and reader.unsubscribed_at
    assert MailEvent.objects.get().provider == "arf"


def test_forged_notifications_change_nothing(sent, bounce_mailbox):
    edition, relay = sent
    maildir, port = bounce_mailbox
    real = return_path(relay, "gone@example.net")
    pk = edition.deliveries.get(subscriber__email="reader@example.net").pk
    forged = f"bounces+d{pk}-000000000000@newsroom.test"  # a guessed check
    deliver(port, forged, dsn(forged))
    deliver(port, BOUNCES, dsn(BOUNCES))  # no return path of ours at all
    deliver(port, real, "From: someone@example.org\nTo: x\nSubject: hi\n\nNot a report.\n")

    call_command("read_bounces", maildir=str(maildir))

    assert not MailEvent.objects.exists()
    assert set(Subscriber.objects.values_list("status", flat=True)) == {"confirmed"}
