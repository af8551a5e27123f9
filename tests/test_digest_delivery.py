"""Delivering an edition through the outbox, against a real SMTP server (aiosmtpd on 127.0.0.1):
exactly once per confirmed subscriber, never to anyone else, skipping those who leave after the
start, retrying refusals with backoff up to a limit, and taking over rows a dead worker held."""

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletter import editions, services, tokens
from newsletter.delivery import _settle, claim_batch, run_worker
from newsletter.models import Delivery, Edition, Subscriber
from tests.conftest import Inbox, _AnyPortController, _Handler
from tests.factories import audience, make_article, make_subscriber

pytestmark = pytest.mark.django_db
Status = Delivery.Status


@pytest.fixture
def three_articles():
    return [make_article(f"Story {n}: what the lab shipped", hours_ago=n + 1) for n in range(3)]


def send_inline(capture, *args):
    """The command, with the delivery tasks it starts on commit run inline (ImmediateBackend)."""
    with capture(execute=True):
        call_command("send_newsletter", *args)


def started(workers=0):
    """Today's edition with every confirmed subscriber queued, no worker started."""
    edition = editions.build_edition().edition
    editions.send_edition(edition_id=edition.pk, workers=workers)
    edition.refresh_from_db()
    return edition


def test_edition_reaches_every_confirmed_subscriber_once_and_nobody_else(
    three_articles, smtp_mailer, django_capture_on_commit_callbacks
):
    readers, others = audience(confirmed=6, pending=2, unsubscribed=3)
    send_inline(django_capture_on_commit_callbacks)

    smtp_mailer.wait_for(6)
    time.sleep(0.2)  # anything extra would have arrived by now
    received = [address for envelope in smtp_mailer.envelopes for address in envelope]
    assert sorted(received) == sorted(r.email for r in readers)
    assert not {o.email for o in others} & set(received)
    edition = Edition.objects.get()
    assert edition.status == Edition.Status.SENT
    assert (edition.recipient_count, edition.sent_count, edition.failed_count) == (6, 6, 0)
    sent = Delivery.objects.filter(status=Status.SENT)
    assert sent.count() == 6 and not sent.filter(sent_at=None).exists()
    ids = set(sent.values_list("message_id", flat=True))
    assert ids == {m["Message-ID"] for m in smtp_mailer.messages}


def test_running_the_command_twice_sends_nothing_new(
    three_articles, smtp_mailer, django_capture_on_commit_callbacks, capsys
):
    audience(confirmed=4)
    send_inline(django_capture_on_commit_callbacks)
    smtp_mailer.wait_for(4)
    capsys.readouterr()

    send_inline(django_capture_on_commit_callbacks)

    time.sleep(0.2)
    assert len(smtp_mailer.messages) == 4
    assert Edition.objects.count() == 1 and Delivery.objects.count() == 4
    assert "Already sent: 4 sent, 0 pending, 0 failed, 0 skipped of 4" in capsys.readouterr().out


def test_starting_to_send_queues_every_subscriber_in_one_statement(three_articles):
    for n in range(40):
        make_subscriber(f"r{n}@example.com")
    make_subscriber("waiting@example.com", Subscriber.Status.PENDING)
    edition = editions.build_edition().edition

    with CaptureQueriesContext(connection) as queries:
        queued = editions.send_edition(edition_id=edition.pk, workers=0)

    inserts = [
        q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "newsletter_delivery"')
    ]
    assert len(inserts) == 1 and "SELECT" in inserts[0] and "ON CONFLICT" in inserts[0]
    assert queued == 40 == Delivery.objects.filter(status=Status.QUEUED).count()
    assert Edition.objects.get().status == Edition.Status.SENDING
    # A second start changes nothing: the edition is already sending (and the unique pair
    # would turn away a repeat of the INSERT anyway).
    assert editions.send_edition(edition_id=edition.pk, workers=0) == 0
    assert editions._queue_deliveries(edition, timezone.now()) == 0
    assert Delivery.objects.count() == 40


def test_a_sent_edition_is_never_started_again(three_articles, smtp_mailer):
    audience(confirmed=1)
    edition = started()
    run_worker(edition.pk)
    with pytest.raises(editions.EditionError, match="already sent"):
        editions.send_edition(edition_id=edition.pk)


def test_subscriber_who_leaves_after_the_start_is_skipped(three_articles, smtp_mailer):
    readers, _ = audience(confirmed=3)
    edition = started()
    services.subscription_cancel(token=tokens.unsubscribe_token(readers[1]))

    report = run_worker(edition.pk)

    smtp_mailer.wait_for(2)
    time.sleep(0.2)
    assert sorted(a for e in smtp_mailer.envelopes for a in e) == [
        readers[0].email,
        readers[2].email,
    ]
    assert (report.sent, report.skipped) == (2, 1)
    skipped = Delivery.objects.get(subscriber=readers[1])
    assert skipped.status == Status.SKIPPED and skipped.sent_at is None
    edition.refresh_from_db()
    assert (edition.status, edition.sent_count, edition.skipped_count) == ("sent", 2, 1)


class _Refusing(_Handler):
    """Refuses some recipients: `bounce…` for good (550), `busy…` for now (451), `flaky…`
    for now on the first try only. Records when each refusal happened."""

    def __init__(self, inbox):
        super().__init__(inbox)
        self.refusals = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        tries = sum(1 for _, refused in self.refusals if refused == address)
        if local.startswith("bounce"):
            self.refusals.append((time.monotonic(), address))
            return "550 5.1.1 No such mailbox here"
        if local.startswith("busy") or (local.startswith("flaky") and tries == 0):
            self.refusals.append((time.monotonic(), address))
            return "451 4.3.2 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing_smtp(settings):
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
    settings.NEWSLETTER_RETRY_DELAY = 0.1
    settings.NEWSLETTER_MAX_ATTEMPTS = 3
    settings.NEWSLETTER_WORKER_PATIENCE = 5
    yield inbox, handler
    controller.stop()


def test_refusals_fail_at_once_or_retry_with_backoff_until_the_limit(three_articles, refusing_smtp):
    inbox, handler = refusing_smtp
    for address in ("ok@example.com", "bounce@example.com", "busy@example.com"):
        make_subscriber(address)
    make_subscriber("flaky@example.com")
    edition = started()

    report = run_worker(edition.pk)

    rows = {d.subscriber.email: d for d in Delivery.objects.select_related("subscriber")}
    assert rows["ok@example.com"].status == Status.SENT
    bounce, busy, flaky = (
        rows["bounce@example.com"],
        rows["busy@example.com"],
        rows["flaky@example.com"],
    )
    # A permanent refusal is final after one try.
    assert (bounce.status, bounce.attempts) == (Status.FAILED, 1)
    assert bounce.last_error.startswith("550") and "No such mailbox" in bounce.last_error
    # A temporary one is tried again, later each time, and given up after the limit.
    assert (busy.status, busy.attempts) == (Status.FAILED, 3)
    assert busy.last_error.startswith("451")
    times = [at for at, address in handler.refusals if address == "busy@example.com"]
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert len(times) == 3 and gaps[0] >= 0.1 and gaps[1] >= 0.2
    # Refused once, then accepted: delivered on the second try.
    assert (flaky.status, flaky.attempts, flaky.last_error[:3]) == (Status.SENT, 2, "451")
    assert sorted(a for e in inbox.envelopes for a in e) == ["flaky@example.com", "ok@example.com"]
    assert (report.sent, report.failed) == (2, 2)
    edition.refresh_from_db()
    assert (edition.status, edition.sent_count, edition.failed_count) == ("sent", 2, 2)


def test_worker_hands_over_when_retries_fall_due_after_its_patience(
    three_articles, refusing_smtp, settings
):
    make_subscriber("busy@example.com")
    settings.NEWSLETTER_RETRY_DELAY = 60
    edition = started()

    report = run_worker(edition.pk, patience=0.2)

    row = Delivery.objects.get()
    assert (row.status, row.attempts) == (Status.QUEUED, 1)
    assert report.waiting_until == row.next_attempt_at
    assert row.next_attempt_at - timezone.now() > timedelta(seconds=55)
    assert Edition.objects.get().status == Edition.Status.SENDING


def test_rows_of_a_dead_worker_are_taken_over_after_its_lease(three_articles, smtp_mailer):
    audience(confirmed=5)
    edition = started()
    # A worker claims three rows, then dies without a word.
    dead = claim_batch(edition, size=3, lease=60)
    assert len(dead.rows) == 3

    report = run_worker(edition.pk, patience=0.2)

    assert report.sent == 2 and report.waiting_until == dead.lease_until
    assert Delivery.objects.filter(status=Status.SENDING).count() == 3
    Delivery.objects.filter(status=Status.SENDING).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    report = run_worker(edition.pk)
    assert report.sent == 3 and report.finished
    smtp_mailer.wait_for(5)
    assert sorted(a for e in smtp_mailer.envelopes for a in e) == sorted(
        f"reader{n}@example.com" for n in range(5)
    )
    # The dead worker, were it to wake up, can no longer settle rows that are not its own.
    assert _settle(dead, dead.rows[0], status=Status.FAILED, last_error="late") == 0
    assert Delivery.objects.filter(status=Status.SENT).count() == 5


def test_a_slow_worker_renews_its_claim_instead_of_losing_it(three_articles, smtp_mailer, settings):
    audience(confirmed=8)
    settings.NEWSLETTER_SEND_PAUSE = 0.1
    edition = started()

    report = run_worker(edition.pk, batch_size=8, lease=0.3)

    assert (report.sent, report.lost) == (8, 0)
    assert Delivery.objects.filter(status=Status.SENT).count() == 8
    assert len(smtp_mailer.wait_for(8)) == 8


def test_mail_server_down_gives_the_batch_back(three_articles, settings, smtp_server):
    audience(confirmed=4)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            # Nothing listens on port 9 (discard) here: the connection is refused.
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    settings.NEWSLETTER_RETRY_DELAY = 0.1
    edition = started()

    report = run_worker(edition.pk)

    assert report.sent == 0 and report.waiting_until is not None
    rows = Delivery.objects.order_by("pk")
    assert [r.status for r in rows] == [Status.QUEUED] * 4
    assert [r.attempts for r in rows] == [1, 0, 0, 0]
    assert "Connection" in rows[0].last_error

    settings.MAILERS["default"]["OPTIONS"]["port"] = smtp_server.port
    time.sleep(0.15)
    report = run_worker(edition.pk)
    assert report.sent == 4 and report.finished
    assert len(smtp_server.wait_for(4)) == 4


def test_delivery_counts_are_one_query(three_articles, django_assert_num_queries):
    audience(confirmed=3)
    edition = started()
    Delivery.objects.filter(pk=Delivery.objects.first().pk).update(status=Status.FAILED)
    with django_assert_num_queries(1):
        counts = Delivery.objects.filter(edition=edition).counts()
    assert counts == {"total": 3, "queued": 2, "sending": 0, "sent": 0, "failed": 1, "skipped": 0}


def test_the_next_run_finishes_an_earlier_edition_cut_short(
    smtp_mailer, django_capture_on_commit_callbacks, capsys
):
    make_article("Yesterday's story", hours_ago=30)
    readers, _ = audience(confirmed=3)
    yesterday = timezone.localdate() - timedelta(days=1)
    stalled = editions.build_edition(date=yesterday, now=timezone.now() - timedelta(hours=24))
    editions.send_edition(edition_id=stalled.edition.pk, workers=0)  # then everything stopped
    make_article("Today's story", hours_ago=1)

    send_inline(django_capture_on_commit_callbacks)

    out = capsys.readouterr().out
    assert f"Resumed Edition of {yesterday}" in out
    smtp_mailer.wait_for(6)
    time.sleep(0.2)
    assert sorted(m["Subject"].split(": ", 1)[1] for m in smtp_mailer.messages) == (
        ["Today's story"] * 3 + ["Yesterday's story"] * 3
    )
    assert set(Edition.objects.values_list("status", flat=True)) == {Edition.Status.SENT}
