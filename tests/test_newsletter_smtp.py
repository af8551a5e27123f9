"""The whole journey through a real SMTP server (aiosmtpd on 127.0.0.1) and Django's
production SMTP backend: signup, confirmation email, confirm, welcome email, one-click
unsubscribe from the List-Unsubscribe header."""

import re
import socket
from urllib.parse import urlsplit

import pytest
from django.test import Client

from newsletter.models import Subscriber
from newsletter.tasks import send_signup_email

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/newsletter/(?:confirm|unsubscribe)/[^/\s\"<]+/)")


def parts(message):
    """The plain-text and HTML bodies of a multipart/alternative message."""
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def one_click_path(message):
    # As it travelled: one plain line, not RFC 2047 encoded words that providers cannot read.
    header = dict(message.raw_items())["List-Unsubscribe"]
    assert header.startswith("<http://testserver/newsletter/unsubscribe/") and header.endswith("/>")
    assert dict(message.raw_items())["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return urlsplit(header[1:-1]).path


def assert_visible_unsubscribe_link(message):
    text, html = parts(message)
    path = one_click_path(message)
    assert f"http://testserver{path}" in text
    assert f'href="http://testserver{path}"' in html
    return path


def test_signup_confirm_welcome_and_one_click_unsubscribe_over_smtp(
    smtp_mailer, django_capture_on_commit_callbacks
):
    browser = Client(enforce_csrf_checks=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            "/newsletter/subscribe/",
            {"email": "Journey@Example.org", "source": "/", "website": ""},
            headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        )
    assert response.status_code == 303

    (confirmation,) = smtp_mailer.wait_for(1)
    assert smtp_mailer.envelopes[0] == ["Journey@example.org"]
    assert confirmation["To"] == "Journey@example.org"
    assert confirmation["Subject"] == "Confirm your subscription to the Newsroom daily"
    assert confirmation["Message-ID"].endswith("@testserver>")
    assert_visible_unsubscribe_link(confirmation)
    text, html = parts(confirmation)
    confirm_path = LINK.search(text).group(1)
    assert confirm_path.startswith("/newsletter/confirm/")
    assert f'href="http://testserver{confirm_path}"' in html
    assert "works for 7 days" in text

    page = browser.get(confirm_path)
    assert page.status_code == 200 and b"Confirm subscription</button>" in page.content
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = browser.post(confirm_path)
    assert confirmed.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED

    welcome = smtp_mailer.wait_for(2)[1]
    assert welcome["Subject"] == "Welcome to the Newsroom daily"
    welcome_text, _ = parts(welcome)
    assert "What arrives, and when: one email a day" in welcome_text
    assert "How to leave: every email ends with an unsubscribe link" in welcome_text
    unsubscribe_path = assert_visible_unsubscribe_link(welcome)

    # What a mail provider does for RFC 8058: a bare POST, no cookie, no CSRF token.
    mail_provider = Client(enforce_csrf_checks=True)
    left = mail_provider.post(
        unsubscribe_path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert left.status_code == 200 and not left.has_header("Location")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert len(smtp_mailer.messages) == 2


def test_a_confirmed_address_signing_up_again_gets_a_short_reminder(
    smtp_mailer, client, django_capture_on_commit_callbacks
):
    Subscriber.objects.create(
        email="loyal@example.org", status="confirmed", confirmed_at="2026-01-01T00:00Z"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/newsletter/subscribe/", {"email": "LOYAL@example.org"})
    (reminder,) = smtp_mailer.wait_for(1)
    assert reminder["Subject"] == "You are already subscribed to the Newsroom daily"
    text, _ = parts(reminder)
    assert "already subscribed, so nothing has changed" in text
    assert_visible_unsubscribe_link(reminder)
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_a_mail_server_outage_never_breaks_the_signup(
    settings, client, django_capture_on_commit_callbacks
):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/newsletter/subscribe/", {"email": "patient@example.org"})
    assert response.status_code == 303
    assert Subscriber.objects.filter(email="patient@example.org").exists()


@pytest.mark.parametrize(
    ("status", "kind"),
    [("confirmed", "confirm"), ("pending", "welcome"), ("unsubscribed", "confirm")],
)
def test_a_queued_email_is_dropped_when_the_subscriber_moved_on(mailoutbox, status, kind):
    subscriber = Subscriber.objects.create(
        email="moved@example.org",
        status=status,
        confirmed_at="2026-01-01T00:00Z",
        unsubscribed_at="2026-01-02T00:00Z",
    )
    assert send_signup_email.call(subscriber.pk, kind) == "skipped"
    assert send_signup_email.call(subscriber.pk + 1, kind) == "skipped"
    assert mailoutbox == []
