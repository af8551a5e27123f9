"""Email services' tracking webhooks (django-anymail): sample Mailgun and Postmark payloads,
signed correctly and not. A verified bounce or complaint suppresses, a bad signature or
credential is a 400 that changes nothing, a retry changes nothing, and a service whose keys are
not configured has no webhook. Sending through a service (anymail, chosen by EMAIL_URL) carries
the delivery in the message's metadata, which the webhook matches."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.core import mail

from newsletter import editions
from newsletter.delivery import run_worker
from newsletter.mail_events import MailEvent
from newsletter.models import Subscriber
from newsroom.mail_urls import mailer_from_url
from tests.factories import make_article, make_subscriber

pytestmark = pytest.mark.django_db
MAILGUN_KEY = "key-for-tests-only-0123456789"
WEBHOOK_AUTH = "hooks:s3cret-for-tests"  # basic auth in the webhook URL, shared by services


@pytest.fixture(autouse=True)
def keys(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY, "WEBHOOK_SECRET": WEBHOOK_AUTH}


def mailgun(event_data, *, key=MAILGUN_KEY, token="tok-1"):  # noqa: S107 (a test nonce)
    timestamp = str(int(time.time()))
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    body = {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature.hexdigest()},
        "event-data": {"timestamp": time.time(), "id": "evt", **event_data},
    }
    return json.dumps(body)


def mailgun_failure(address, severity="permanent", delivery=None):
    return {
        "event": "failed",
        "severity": severity,
        "recipient": address,
        "delivery-status": {"code": 550, "message": "5.1.1 mailbox does not exist"},
        "user-variables": {"newsletter_delivery": str(delivery)} if delivery else {},
        "message": {"headers": {"message-id": "abc@mg.example"}},
    }


def post(client, provider, body, auth=WEBHOOK_AUTH):
    headers = {}
    if auth:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(auth.encode()).decode()
    return client.post(
        f"/newsletter/webhooks/{provider}/tracking/",
        body,
        content_type="application/json",
        **headers,
    )


def postmark(record_type, address, **fields):
    return json.dumps(
        {
            "RecordType": record_type,
            "Email": address,
            "BouncedAt": "2026-12-01T10:00:00Z",
            "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
            **fields,
        }
    )


def test_a_signed_mailgun_bounce_suppresses_and_its_retry_changes_nothing(client):
    reader = make_subscriber("reader@example.com")

    first = post(client, "mailgun", mailgun(mailgun_failure("reader@example.com")))
    again = post(client, "mailgun", mailgun(mailgun_failure("reader@example.com")))

    assert (first.status_code, again.status_code) == (200, 200)
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.SUPPRESSED
    assert "5.1.1 mailbox does not exist" in reader.suppressed_reason
    (event,) = MailEvent.objects.all()
    assert (event.kind, event.permanent, event.provider, event.event_id) == (
        "bounce",
        True,
        "mailgun",
        "mailgun:tok-1",
    )


def test_a_mailgun_request_signed_with_another_key_is_refused_and_changes_nothing(client):
    reader = make_subscriber("reader@example.com")
    forged = mailgun(mailgun_failure("reader@example.com"), key="not-our-key")
    tampered = json.loads(mailgun(mailgun_failure("someone@example.com")))
    tampered["event-data"]["recipient"] = "reader@example.com"  # signature covers the token

    assert post(client, "mailgun", forged).status_code == 400
    tampered["signature"]["token"] = "tok-2"
    assert post(client, "mailgun", json.dumps(tampered)).status_code == 400
    assert post(client, "mailgun", "{not json").status_code == 400
    signed = mailgun(mailgun_failure("reader@example.com"))
    assert post(client, "mailgun", signed, auth="hooks:guess").status_code == 400
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED and not MailEvent.objects.exists()


def test_mailgun_temporary_failures_are_deferrals(client):
    reader = make_subscriber("reader@example.com")
    post(client, "mailgun", mailgun(mailgun_failure("reader@example.com", "temporary")))
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED
    assert MailEvent.objects.get().kind == "deferral"


def test_postmark_complaint_with_credentials_unsubscribes_and_suppresses(client):
    reader = make_subscriber("reader@example.com")
    body = postmark("SpamComplaint", "reader@example.com", ID=42, Type="SpamComplaint")

    assert post(client, "postmark", body).status_code == 200
    assert post(client, "postmark", body).status_code == 200

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.SUPPRESSED and reader.unsubscribed_at
    assert reader.suppressed_reason == "Spam complaint reported by postmark"
    assert MailEvent.objects.get().event_id == "postmark:42"


def test_without_or_with_wrong_credentials_is_refused(client):
    reader = make_subscriber("reader@example.com")
    body = postmark("Bounce", "reader@example.com", ID=7, Type="HardBounce", Details="550")

    assert post(client, "postmark", body, auth=None).status_code == 400
    assert post(client, "postmark", body, auth="hooks:guess").status_code == 400

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED and not MailEvent.objects.exists()
    assert post(client, "postmark", body).status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.SUPPRESSED


def test_unconfigured_or_unknown_services_have_no_webhook(client, settings):
    settings.ANYMAIL = {}
    body = postmark("Bounce", "reader@example.com", ID=7, Type="HardBounce")
    assert post(client, "postmark", body).status_code == 404  # would believe anybody
    assert post(client, "mailgun", mailgun(mailgun_failure("r@example.com"))).status_code == 404
    assert post(client, "nosuchservice", "{}").status_code == 404
    assert client.get("/newsletter/webhooks/mailgun/tracking/").status_code in (404, 405)
    assert not MailEvent.objects.exists()


def test_email_url_chooses_a_service_through_anymail():
    mailer = mailer_from_url(
        "anymail://mailgun?api_key=k-123&sender_domain=mg.example.org",
        debug=False,
        outbox=None,
        timeout=10,
    )
    assert mailer == {
        "BACKEND": "anymail.backends.mailgun.EmailBackend",
        "OPTIONS": {"api_key": "k-123", "sender_domain": "mg.example.org"},
    }


def test_digest_sent_through_a_service_carries_its_delivery_which_the_webhook_matches(
    client, settings
):
    settings.MAILERS = {
        "default": mailer_from_url("anymail://test", debug=False, outbox=None, timeout=5)
    }
    settings.NEWSLETTER_SOFT_FAIL_EDITIONS = 1
    make_article("A story for the service", hours_ago=1)
    reader = make_subscriber("reader@example.com")
    edition = editions.build_edition().edition
    editions.send_edition(edition_id=edition.pk, workers=0)
    run_worker(edition.pk)

    (message,) = mail.outbox
    delivery = edition.deliveries.get()
    assert message.metadata == {"newsletter_delivery": str(delivery.pk)}
    assert message.subject == edition.subject and message.alternatives  # a whole message
    failure = mailgun_failure("reader@example.com", "temporary", delivery=delivery.pk)
    post(client, "mailgun", mailgun(failure, token="tok-soft"))

    event = MailEvent.objects.get()
    assert event.delivery == delivery
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.SUPPRESSED  # one edition in a row was enough
