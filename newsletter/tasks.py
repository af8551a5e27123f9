"""Email leaves through django.tasks, enqueued on commit, so a request never waits on SMTP."""

from django.tasks import task

from newsletter.emails import compose
from newsletter.models import Subscriber

# Each email only makes sense while the subscriber is still in this state.
SENT_WHILE = {
    "confirm": Subscriber.Status.PENDING,
    "welcome": Subscriber.Status.CONFIRMED,
    "already_subscribed": Subscriber.Status.CONFIRMED,
}


@task
def send_signup_email(subscriber_id, kind):
    """Send one signup email, unless the subscriber moved on while it waited in the queue."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status != SENT_WHILE[kind]:
        return "skipped"
    compose(kind, subscriber).send(using="default")
    return "sent"
