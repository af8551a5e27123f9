"""Signed links in newsletter emails. The salts keep a confirm token from working as an
unsubscribe token and the other way round."""

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"


def confirm_token(subscriber):
    """Expires (settings.NEWSLETTER_CONFIRM_MAX_AGE), so an old inbox cannot confirm later, and
    names the pending spell it was sent in (the subscriber's status_changed_at): once the
    address leaves and signs up again, links from before stop working. One link, one use
    (issue 14.10: an earlier signup's link confirmed again after a re-signup)."""
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(confirm_payload(subscriber))


def confirm_payload(subscriber):
    return [subscriber.pk, status_stamp(subscriber)]


def status_stamp(subscriber):
    """status_changed_at in whole microseconds, as a link carries it."""
    return round(subscriber.status_changed_at.timestamp() * 1_000_000)


def confirm_link(token):
    """(subscriber id, status stamp), or signing.SignatureExpired / signing.BadSignature."""
    value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(
        token, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE
    )
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
        raise signing.BadSignature("not a confirmation link of this kind")
    return tuple(value)


def confirm_subscriber_id(token):
    """The subscriber id, or signing.SignatureExpired / signing.BadSignature."""
    return confirm_link(token)[0]


def unsubscribe_token(subscriber):
    """Never expires and is the same in every email: leaving must always work."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(subscriber.pk)


def unsubscribe_subscriber_id(token):
    """The subscriber id, or signing.BadSignature."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
