"""The development outbox of `make run`: each email printed readably with its links whole,
kept for a DEBUG-only page with clickable links, and the "check your inbox" page saying so.
Never reachable in production."""

import io
import re
import subprocess
import sys
from importlib import import_module

import pytest

from newsletter import services, tokens
from newsletter.emails import compose
from newsletter.models import Subscriber
from newsroom.outbox import OutboxMailer
from tests.quick_start import PROJECT, newcomer_env

pytestmark = pytest.mark.django_db

OUTBOX = "/dev/outbox/"
CHECK_INBOX = "/newsletter/check-your-inbox/"


@pytest.fixture
def outbox(settings, tmp_path):
    """`make run`'s mail settings: DEBUG on, the outbox mailer as default; its folder."""
    # The site's URLconf reads DEBUG once, when first imported: let that be with DEBUG off, as
    # the rest of the suite sees it. tests.urls_outbox adds the route `make run` would have.
    import_module(settings.ROOT_URLCONF)
    settings.DEBUG = True
    settings.ROOT_URLCONF = "tests.urls_outbox"
    settings.MAILERS = {
        "default": {
            "BACKEND": "newsroom.outbox.OutboxMailer",
            "OPTIONS": {"directory": str(tmp_path / "outbox")},
        }
    }
    return tmp_path / "outbox"


def signed_up(address, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_request(email=address, source="/", pitch="Daily.", ip="127.0.0.1")
    return Subscriber.objects.get(email=address)


def test_the_terminal_copy_is_readable_and_its_links_whole(settings, outbox):
    settings.SITE_URL = "http://127.0.0.1:8000"
    subscriber = Subscriber.objects.create(email="reader@example.com")
    terminal = io.StringIO()
    mailer = OutboxMailer(directory=outbox, stream=terminal, alias="default")
    assert mailer.send_messages([compose("confirm", subscriber)]) == 1
    printed = terminal.getvalue()
    assert "Subject: Confirm your subscription to the Newsroom daily" in printed
    assert "To: reader@example.com" in printed
    # Whole, on a line of its own: a click or a paste opens it. No quoted-printable left. (The
    # token carries the second it was made in: read it off the copy rather than make another.)
    link = re.search(r"\nhttp://127\.0\.0\.1:8000/newsletter/confirm/([^/\s]+)/\n", printed)
    assert link and tokens.confirm_subscriber_id(link.group(1)) == subscriber.pk
    assert "=3D" not in printed
    assert not re.search(r"=\n", printed)
    assert "Content-Transfer-Encoding" not in printed
    assert f"in the outbox at http://127.0.0.1:8000{OUTBOX}" in printed
    assert len(list(outbox.glob("*.eml"))) == 1


def test_the_outbox_page_lists_sent_emails_newest_first_with_clickable_links(
    client, outbox, django_capture_on_commit_callbacks
):
    first = signed_up("first@example.com", django_capture_on_commit_callbacks)
    second = signed_up("second@example.com", django_capture_on_commit_callbacks)
    response = client.get(OUTBOX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # never kept by the page cache or a proxy
    assert '<meta name="robots" content="noindex">' in html
    # Confirmation links carry the second they were made in: read them off the page.
    links = re.findall(
        r'<a href="http://testserver/newsletter/confirm/([^/"]+)/" rel="nofollow">', html
    )
    assert [tokens.confirm_subscriber_id(token) for token in links] == [second.pk, first.pk]


def test_the_outbox_page_says_when_it_is_empty(client, outbox):
    response = client.get(OUTBOX)
    assert response.status_code == 200
    assert "No email yet." in response.content.decode()


def test_check_your_inbox_says_where_the_email_went_on_a_development_server(client, outbox):
    html = client.get(CHECK_INBOX).content.decode()
    assert "This is a development server" in html
    assert "printed in the terminal" in html
    assert f'<a href="{OUTBOX}">outbox</a>' in html


def test_check_your_inbox_says_nothing_of_an_outbox_with_a_real_mailer(client, smtp_mailer):
    html = client.get(CHECK_INBOX).content.decode()
    assert "Check your inbox to confirm" in html
    assert "development server" not in html
    assert OUTBOX not in html


def test_the_outbox_is_not_in_the_production_urlconf():
    production = {"SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "newsroom.example"}
    code = (
        "import django; django.setup(); from django.urls import Resolver404, resolve\n"
        f"try: resolve({OUTBOX!r})\nexcept Resolver404: print('no route')"
    )
    assert run_settings(code, **production).stdout.strip() == "no route"
    assert run_settings(code, DEBUG="true").stdout.strip() == ""


def test_the_outbox_page_answers_404_without_debug_even_if_routed(client, settings, outbox):
    settings.DEBUG = False
    assert client.get(OUTBOX).status_code == 404


def test_the_outbox_page_answers_404_when_mail_goes_to_a_real_server(client, outbox, smtp_mailer):
    assert client.get(OUTBOX).status_code == 404


def run_settings(code, **env):
    """Python `code` run with the site's settings built from `env` (in a newcomer's shell)."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=newcomer_env(DJANGO_SETTINGS_MODULE="newsroom.settings", **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def settings_with(**env):
    """The default mailer's backend as settings build it from `env`."""
    code = "from django.conf import settings; print(settings.MAILERS['default']['BACKEND'])"
    return run_settings(code, **env)


def test_make_run_keeps_email_in_the_outbox_and_production_refuses_it():
    assert settings_with(DEBUG="true").stdout.strip() == "newsroom.outbox.OutboxMailer"
    production = {"SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "newsroom.example"}
    # Unset, production falls back to the console, which `check --deploy` refuses (mail.E001).
    default = settings_with(**production).stdout.strip()
    assert default == "django.core.mail.backends.console.EmailBackend"
    refused = settings_with(EMAIL_URL="outbox://", **production)
    assert refused.returncode != 0
    assert "EMAIL_URL=outbox:// is the development mailer: it needs DEBUG on" in refused.stderr
