"""Newsletter emails: a plain-text body, an HTML alternative, and the one-click unsubscribe
headers (RFC 8058) that every email to a subscriber carries, digests included."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.urls import reverse

from newsletter import tokens

LIST_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post")

SUBJECTS = {
    "confirm": "Confirm your subscription to the {site} daily",
    "welcome": "Welcome to the {site} daily",
    "already_subscribed": "You are already subscribed to the {site} daily",
}


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def confirm_url(subscriber):
    return absolute(reverse("newsletter:confirm", args=[tokens.confirm_token(subscriber)]))


def unsubscribe_url(subscriber):
    return absolute(reverse("newsletter:unsubscribe", args=[tokens.unsubscribe_token(subscriber)]))


def unsubscribe_headers(subscriber):
    """List-Unsubscribe headers for one subscriber: mail providers POST to the URL at once."""
    return list_headers(unsubscribe_url(subscriber))


def list_headers(url):
    """One-click unsubscribe (RFC 8058) through `url`."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


class _OneLine(str):
    """A header value written out exactly as given, on one line.

    Python's email folding (78 columns, which Django's SMTP backend uses) turns a long URL
    into RFC 2047 encoded words, and mail providers then fail to read List-Unsubscribe. The
    value is ours and ASCII, and RFC 5322 allows lines up to 998 characters.
    """

    def __new__(cls, name, value):
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy):
        return f"{self.name}: {self}{policy.linesep}"


class NewsletterMessage(EmailMultiAlternatives):
    """An email whose List-Unsubscribe headers reach the inbox unfolded and unencoded."""

    def message(self, **kwargs):
        message = super().message(**kwargs)
        for name in LIST_HEADERS:
            if name in message:
                message.replace_header(name, _OneLine(name, str(message[name])))
        return message


def message_id():
    """A Message-ID in the site's own domain rather than this machine's host name."""
    return make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "localhost")


def compose(kind, subscriber):
    """One email of `kind` (a key of SUBJECTS) to `subscriber`, ready to send."""
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "email": subscriber.email,
        "unsubscribe_url": unsubscribe_url(subscriber),
        "postal_address": settings.NEWSLETTER_POSTAL_ADDRESS,
        "confirm_days": settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400,
    }
    if kind == "confirm":
        context["confirm_url"] = confirm_url(subscriber)
    message = NewsletterMessage(
        subject=SUBJECTS[kind].format(site=settings.SITE_NAME),
        body=render_to_string(f"newsletter/email/{kind}.txt", context),
        from_email=settings.NEWSLETTER_FROM,
        to=[subscriber.email],
        headers={**unsubscribe_headers(subscriber), "Message-ID": message_id()},
    )
    message.attach_alternative(
        render_to_string(f"newsletter/email/{kind}.html", context), "text/html"
    )
    return message
