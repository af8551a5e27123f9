"""Signed links in newsletter emails. The salts keep a confirm token from working as an
unsubscribe token and the other way round."""

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"


def confirm_token(subscriber):
    """Expires (settings.NEWSLETTER_CONFIRM_MAX_AGE), so an old inbox cannot confirm later."""
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(subscriber.pk)


def confirm_subscriber_id(token):
    """The subscriber id, or signing.SignatureExpired / signing.BadSignature."""
    return signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(
        token, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE
    )


def unsubscribe_token(subscriber):
    """Never expires and is the same in every email: leaving must always work."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(subscriber.pk)


def unsubscribe_subscriber_id(token):
    """The subscriber id, or signing.BadSignature."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
