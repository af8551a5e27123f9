"""Email leaves through django.tasks, enqueued on commit, so a request never waits on SMTP."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.tasks import default_task_backend, task
from django.utils import timezone

from newsletter import suppression
from newsletter.delivery import run_worker, smtp_verdict
from newsletter.digest import compose_test
from newsletter.emails import compose
from newsletter.mail_events import MailEvent
from newsletter.models import Edition, Subscriber

logger = logging.getLogger(__name__)

# Each email only makes sense while the subscriber is still in this state.
SENT_WHILE = {
    "confirm": Subscriber.Status.PENDING,
    "welcome": Subscriber.Status.CONFIRMED,
    "already_subscribed": Subscriber.Status.CONFIRMED,
}


@task
def send_signup_email(subscriber_id, kind, attempt=1):
    """Send one signup email, unless the subscriber moved on while it waited in the queue.

    When the mail server cannot be reached the email is not lost: the task queues itself
    again with a growing delay (on a queue that can defer, as production's does).
    """
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status != SENT_WHILE[kind]:
        return "skipped"
    try:
        compose(kind, subscriber).send(using="default")
    except (smtplib.SMTPException, OSError) as error:
        permanent, text = smtp_verdict(error, subscriber.email)
        if permanent:  # a 5xx: no later try will do better, and the address is suppressed
            suppression.record_event(
                kind=MailEvent.Kind.BOUNCE,
                address=subscriber.email,
                provider="smtp",
                event_id=f"smtp:{kind}:{subscriber.pk}:{timezone.now().timestamp()}",
                permanent=True,
                detail=text,
                subscriber=subscriber,
            )
            return "bounced"
        return retry_later(subscriber_id, kind, attempt, error)
    return "sent"


def retry_later(subscriber_id, kind, attempt, error):
    if attempt >= settings.NEWSLETTER_MAX_ATTEMPTS or not default_task_backend.supports_defer:
        logger.error("giving up on %s email to subscriber %s: %s", kind, subscriber_id, error)
        raise error
    delay = settings.NEWSLETTER_RETRY_DELAY * 2 ** (attempt - 1)
    logger.warning(
        "%s email to subscriber %s failed (%s); retrying in %ss", kind, subscriber_id, error, delay
    )
    send_signup_email.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
        subscriber_id, kind, attempt + 1
    )
    return "retrying"


# Below signup emails: a confirmation should not wait behind a whole digest.
DIGEST_PRIORITY = -10


@task(priority=DIGEST_PRIORITY)
def deliver_edition(edition_id):
    """One delivery worker for an edition. When only later retries remain, the worker hands
    over to a follow-up task at their time, on backends that can run a task later."""
    report = run_worker(edition_id)
    if report.waiting_until is not None and deliver_edition.get_backend().supports_defer:
        deliver_edition.using(run_after=report.waiting_until).enqueue(edition_id)
    return report.as_dict()


def enqueue_delivery_workers(edition_id, workers=None):
    """Start `workers` delivery tasks on the edition (None: settings.NEWSLETTER_WORKERS; 0:
    none, for workers run as `manage.py newsletter_worker` processes)."""
    for _ in range(settings.NEWSLETTER_WORKERS if workers is None else workers):
        deliver_edition.enqueue(edition_id)


@task
def send_test_edition(edition_id, address):
    """A test copy of an edition for the editor who asked, to `address` only."""
    edition = Edition.objects.filter(pk=edition_id).first()
    if edition is None:
        return "skipped"
    compose_test(edition, to=address).send(using="default")
    return "sent"
