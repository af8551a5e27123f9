"""A mail server outage at signup: the signup succeeds and the email follows once it is back."""

import io
import socket
import time

import pytest
from django.core.management import call_command

from newsletter.models import Subscriber
from tests.conftest import serving_smtp

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


@pytest.fixture
def queued_tasks(settings):
    """Production's queue: tasks wait in the database until a worker runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NEWSLETTER_RETRY_DELAY = 0.5
    return settings


def test_signup_email_is_retried_until_the_mail_server_is_back(client, queued_tasks):
    from django_tasks_db.models import DBTaskResult

    port = closed_port()
    queued_tasks.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    response = client.post("/newsletter/subscribe/", {"email": "late@example.org", "source": "/"})
    assert response.status_code == 303
    assert Subscriber.objects.get(email="late@example.org").status == "pending"

    run_worker()  # the mail server is down: the email is queued again, not lost
    waiting = DBTaskResult.objects.filter(status="READY")
    assert waiting.count() == 1
    assert waiting.get().args_kwargs["args"][-1] == 2  # second attempt

    with serving_smtp(port=port) as inbox:
        time.sleep(0.6)  # the retry's delay
        run_worker()
        [message] = inbox.wait_for(1)
    assert message["To"] == "late@example.org"
    assert "Confirm" in message["Subject"]
    assert not DBTaskResult.objects.filter(status="READY").exists()
