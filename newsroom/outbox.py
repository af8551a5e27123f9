"""The development outbox: where email goes under `make run` (DEBUG on, EMAIL_URL unset).

Nothing leaves the machine. Each email is printed to the terminal as a person reads it (the
decoded text part, each link whole on its line, where the console backend prints
quoted-printable that breaks links with `=`) and kept as a file, which the outbox page lists
with clickable links. The page answers only with DEBUG on and this mailer as the default;
settings refuse `EMAIL_URL=outbox://` with DEBUG off.
"""

import email
import email.policy
import sys
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail import mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

RULE = "-" * 79
SHOWN = 50  # emails on the outbox page, newest first


class OutboxMailer(BaseEmailBackend):
    """Keeps every email as an .eml file under `directory`, and prints a readable copy."""

    # One lock for every instance: runserver's threads each build their own mailer.
    _lock = threading.Lock()

    def __init__(self, *, directory, stream=None, **kwargs):
        super().__init__(**kwargs)
        self.directory = Path(directory)
        self.stream = stream or sys.stdout

    @property
    def outbox_url(self):
        """The outbox page's path: pages that say "check your inbox" point here."""
        return reverse("outbox")

    def send_messages(self, email_messages):
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            for message in email_messages:
                raw = message.message().as_bytes()
                # Names sort by sending time, so the page lists them newest first.
                name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
                (self.directory / name).write_bytes(raw)
                self.stream.write(self.readable(Letter.parse(raw)))
                self.stream.flush()
        return len(email_messages)

    def readable(self, letter):
        where = f"{settings.SITE_URL}{self.outbox_url}"
        return (
            f"{RULE}\nEmail kept by the development server (not sent); also in the outbox at"
            f" {where}\nFrom: {letter.sender}\nTo: {letter.to}\nSubject: {letter.subject}\n\n"
            f"{letter.text.rstrip()}\n{RULE}\n"
        )

    def kept(self, limit=SHOWN):
        """The latest emails kept, newest first."""
        paths = sorted(self.directory.glob("*.eml"), reverse=True)[:limit]
        return [Letter.parse(path.read_bytes()) for path in paths]


class Letter:
    """One kept email as a person reads it: headers decoded, the text part (or a pointer to
    the HTML part when there is no text)."""

    def __init__(self, message):
        self.sender = message["From"] or ""
        self.to = message["To"] or ""
        self.subject = message["Subject"] or ""
        self.date = message["Date"] or ""
        body = message.get_body(preferencelist=("plain",))
        self.text = body.get_content() if body is not None else "(This email has no text part.)"

    @classmethod
    def parse(cls, raw):
        return cls(email.message_from_bytes(raw, policy=email.policy.default))


@never_cache
@require_safe
def outbox(request):
    """The emails the development server kept instead of sending, newest first. Template:
    newsroom/outbox.html; context: `emails` (Letters: sender, to, subject, date, text)."""
    mailer = mailers.default
    if not settings.DEBUG or not isinstance(mailer, OutboxMailer):
        raise Http404("There is no outbox on this server.")
    return render(request, "newsroom/outbox.html", {"emails": mailer.kept()})
