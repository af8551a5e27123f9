"""The daily digest as one recipient's email, around the edition's content (newsletter/content.py).

Sending 100,000 of these is mostly the cost of building MIME, so a worker builds the edition's
message once, with stand-ins (markers) where each recipient's parts go (address, unsubscribe
token, Message-ID, Date), and then copies the finished bytes for each recipient with the
markers filled in: 0.15-0.4 ms a message against ~14 ms to build a whole EmailMessage in
`make bench-mail` runs (processor time alone, four articles: 0.03 ms against 7-9 ms), the
difference between meeting the 100,000-subscriber target and missing it. The parts are written
unencoded (7bit or 8bit, lines wrapped short), so a marker is never split or transformed by an
encoding; a message that cannot be prepared that way is composed whole for every recipient.

Per-recipient data goes only where our templates and headers put it (issue 14.2: a summary link
holding the markers once carried every reader's address and unsubscribe token). The markers are
new random values for each prepared message, so no text an editor wrote beforehand holds them,
and the message is filled in only if each marker is found exactly where we put it.
"""

import email.policy
import re
import secrets
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parseaddr, parsedate_to_datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from newsletter import bounces, tokens
from newsletter.content import digest_content, render_bodies
from newsletter.emails import NewsletterMessage, list_headers, message_id

# RFC 5322 allows 998 octets a line; markers grow by a few dozen when filled in.
LONGEST_UNENCODED_LINE = 900


def list_id():
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{settings.SITE_NAME} daily <daily.{host}>"


def compose_digest(content, *, to, unsubscribe_url, message_id_value, date=None, subject=None):
    """The whole digest email for one recipient, ready to send."""
    text, html = render_bodies(content, unsubscribe_url=unsubscribe_url)
    headers = {
        **list_headers(unsubscribe_url),
        "List-Id": list_id(),
        "Message-ID": message_id_value,
        "Date": format_datetime(date or timezone.now()),
    }
    message = NewsletterMessage(
        subject=subject or content.edition.subject,
        body=text,
        from_email=settings.NEWSLETTER_FROM,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def unsubscribe_link(token):
    return settings.SITE_URL + reverse("newsletter:unsubscribe", args=[token])


def preview_unsubscribe():
    """The unsubscribe link in previews and test copies: it unsubscribes nobody."""
    return unsubscribe_link("not-a-subscriber")


def compose_test(edition, *, to):
    """A test copy for an editor: marked in the subject; its unsubscribe link leads nowhere."""
    return compose_digest(
        digest_content(edition),
        to=to,
        unsubscribe_url=preview_unsubscribe(),
        message_id_value=message_id(),
        subject=f"[Test] {edition.subject}",
    )


def delivery_message_id(edition, delivery_pk):
    """The same for every try of one delivery, so a repeat after a crash reads as one message
    to mail providers that collapse duplicates by Message-ID."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    stamp = int(edition.created_at.timestamp())
    return f"<digest.{edition.pk}.{delivery_pk}.{stamp}@{host}>"


# --- One message prepared, many recipients ---


class SerializedMessage(EmailMessage):
    """An email whose MIME bytes are already written; backends send them as they are."""

    def __init__(self, data, *, from_email, to):
        super().__init__(from_email=from_email, to=to)
        self.data = data

    def message(self, *, policy=email.policy.default):
        return _Serialized(self.data)


class _Serialized:
    """What a mail backend reads off `EmailMessage.message()`: the bytes, as they are."""

    def __init__(self, data):
        self.data = data

    def as_bytes(self, *args, **kwargs):
        return self.data

    def as_string(self, *args, **kwargs):
        return self.data.decode("utf-8", "surrogateescape")

    def get_charset(self):
        return None


class CannotPrepare(Exception):
    """The edition's message cannot be filled in per recipient; compose each one whole."""


def new_markers():
    """{name: marker bytes}, random for each prepared message (see the module's docstring)."""
    nonce = secrets.token_hex(16)
    # A Date header holds a date: a random second of the year 2000 stands in for it.
    date = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=secrets.randbelow(31_000_000))
    return {
        "to": f"to-{nonce}@recipient.invalid",
        "token": f"unsubscribe-{nonce}",
        "message_id": f"<id-{nonce}@recipient.invalid>",
        "date": format_datetime(date),
    }


# Where our templates and headers put each marker: To, Message-ID, Date; the unsubscribe token
# in List-Unsubscribe and in the footer link of the text and of the HTML part.
MARKER_PLACES = {"to": 1, "message_id": 1, "date": 1, "token": 3}


class PreparedDigest:
    """The edition's email built once; `message_for()` fills in one recipient's parts."""

    def __init__(self, content, *, markers=None):
        self.content = content
        self.markers = markers or new_markers()
        self.pieces = self._prepare()
        # The bare address for the SMTP envelope: the mail backend parses it for every message.
        self.envelope_sender = parseaddr(settings.NEWSLETTER_FROM)[1] or settings.NEWSLETTER_FROM

    def _prepare(self):
        """The message's bytes as a list: literal bytes, with the name of a marker (a str)
        wherever one stood."""
        message = compose_digest(
            self.content,
            to=self.markers["to"],
            unsubscribe_url=unsubscribe_link(self.markers["token"]),
            message_id_value=self.markers["message_id"],
            date=parsedate_to_datetime(self.markers["date"]),
        ).message(policy=email.policy.SMTP)
        for part in message.iter_parts():
            body = part.get_content()
            if max(map(len, body.encode().splitlines()), default=0) > LONGEST_UNENCODED_LINE:
                raise CannotPrepare("a line is too long to send unencoded")
            cte = "7bit" if body.isascii() else "8bit"
            part.set_content(body, subtype=part.get_content_subtype(), charset="utf-8", cte=cte)
            del part["MIME-Version"]  # set_content adds it; it belongs on the message only
        names = {value.encode(): name for name, value in self.markers.items()}
        pattern = re.compile(b"(" + b"|".join(re.escape(marker) for marker in names) + b")")
        pieces = pattern.split(message.as_bytes())
        pieces[1::2] = [names[marker] for marker in pieces[1::2]]
        for name, places in MARKER_PLACES.items():
            if pieces[1::2].count(name) != places:
                raise CannotPrepare(f"the {name} marker is not exactly where we put it")
        return pieces

    def message_for(self, *, address, subscriber, message_id_value, date=None, return_path=None):
        values = {
            "to": address.encode(),
            "token": tokens.unsubscribe_token(subscriber).encode(),
            "message_id": message_id_value.encode(),
            "date": format_datetime(date or timezone.now()).encode(),
        }
        data = b"".join(values[p] if isinstance(p, str) else p for p in self.pieces)
        return SerializedMessage(data, from_email=return_path or self.envelope_sender, to=[address])


class DigestComposer:
    """Per worker: the fastest correct way to write this edition to each recipient."""

    def __init__(self, edition, *, mailer=None):
        self.edition = edition
        self.content = digest_content(edition)
        # An email service's API (django-anymail) reads a message's parts, never its bytes; it
        # reports bounces itself (newsletter/webhooks.py), so the message carries the delivery
        # in its metadata, which the service's webhook echoes, instead of a return path.
        self.service = type(mailer).__module__.startswith("anymail.")
        try:
            self.prepared = None if self.service else PreparedDigest(self.content)
        except CannotPrepare:
            self.prepared = None

    def message_for(self, *, address, subscriber, message_id_value, delivery_pk=None):
        return_path = None if self.service else bounces.bounce_address(delivery_pk)
        if self.prepared is not None and address.isascii():
            return self.prepared.message_for(
                address=address,
                subscriber=subscriber,
                message_id_value=message_id_value,
                return_path=return_path,
            )
        message = compose_digest(
            self.content,
            to=address,
            unsubscribe_url=unsubscribe_link(tokens.unsubscribe_token(subscriber)),
            message_id_value=message_id_value,
        )
        if return_path:  # the envelope's sender; the From header stays NEWSLETTER_FROM
            message.extra_headers["From"] = message.from_email
            message.from_email = return_path
        if self.service and delivery_pk is not None:
            message.metadata = {"newsletter_delivery": str(delivery_pk)}
        return message
