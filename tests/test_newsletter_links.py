"""Confirmation and unsubscribe links: GET changes nothing, POST acts once, forged and expired
tokens change nothing and say so, one-click unsubscribe works without cookie or CSRF token."""

import re
import time

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletter import services, tokens
from newsletter.models import ConsentRecord, Subscriber

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
DAY = 86400


class SignedAt(signing.TimestampSigner):
    """Signs as if the clock read `at` (Unix time): an old link, made without patching time."""

    def __init__(self, at, **kwargs):
        super().__init__(**kwargs)
        self.at = at

    def timestamp(self):
        return signing.b62_encode(int(self.at))


def confirm_token_signed_ago(subscriber, seconds):
    signer = SignedAt(time.time() - seconds, salt=tokens.CONFIRM_SALT)
    return signer.sign_object(tokens.confirm_payload(subscriber))


@pytest.fixture
def strict_client():
    """No cookies, and Django's CSRF checks switched on: as a mail provider's POST arrives."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def pending():
    subscriber = Subscriber.objects.create(email="pending@example.com")
    ConsentRecord.objects.create(subscriber=subscriber, source="/", pitch="Old pitch")
    ConsentRecord.objects.create(subscriber=subscriber, source="/news/x/", pitch="Pitch")
    return subscriber


def confirm_url(token):
    return f"/newsletter/confirm/{token}/"


def unsubscribe_url(token):
    return f"/newsletter/unsubscribe/{token}/"


def page_frame_queries(client):
    """Queries of the site frame around a newsletter page (navigation and the like): a forged
    link's page runs no newsletter query at all. Measured warm, as the real page will be."""
    client.get(confirm_url("forged"))
    with CaptureQueriesContext(connection) as frame:
        client.get(confirm_url("forged"))
    return len(frame.captured_queries)


def assert_private_and_cookie_free(response):
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"  # the token stays out of Referer
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_confirm_get_shows_a_button_and_changes_nothing(
    strict_client, pending, mailoutbox, django_assert_num_queries
):
    token = tokens.confirm_token(pending)
    with django_assert_num_queries(page_frame_queries(strict_client) + 1):  # the subscriber
        response = strict_client.get(confirm_url(token))
    html = response.content.decode()
    assert response.status_code == 200
    assert_private_and_cookie_free(response)
    assert '<form method="post">' in html and "Confirm subscription</button>" in html
    assert "pending@example.com" in html
    assert token not in html
    pending.refresh_from_db()
    assert pending.status == Status.PENDING and pending.confirmed_at is None
    assert mailoutbox == []


def test_confirm_post_confirms_once_and_welcomes_once(
    strict_client, pending, mailoutbox, django_capture_on_commit_callbacks
):
    token = tokens.confirm_token(pending)
    with django_capture_on_commit_callbacks(execute=True):
        first = strict_client.post(confirm_url(token))
    pending.refresh_from_db()
    confirmed_at = pending.confirmed_at
    assert first.status_code == 200
    assert_private_and_cookie_free(first)
    assert b"You're subscribed" in first.content
    assert pending.status == Status.CONFIRMED and confirmed_at is not None
    latest, older = pending.consent_records.all()
    assert (latest.confirmed_at, older.confirmed_at) == (confirmed_at, None)
    assert [m.subject for m in mailoutbox] == ["Welcome to the Newsroom daily"]

    with django_capture_on_commit_callbacks(execute=True):
        again = strict_client.post(confirm_url(token))
        seen = strict_client.get(confirm_url(token))
    pending.refresh_from_db()
    assert again.status_code == seen.status_code == 200
    assert b"You're subscribed" in again.content and b"You're subscribed" in seen.content
    assert pending.confirmed_at == confirmed_at
    assert len(mailoutbox) == 1


def test_confirm_link_works_until_seven_days(strict_client, pending):
    token = confirm_token_signed_ago(pending, 7 * DAY - 60)
    assert strict_client.post(confirm_url(token)).status_code == 200
    pending.refresh_from_db()
    assert pending.status == Status.CONFIRMED


@pytest.mark.parametrize("method", ["get", "post"])
def test_expired_confirm_link_changes_nothing_and_offers_a_new_one(
    strict_client, pending, mailoutbox, method
):
    token = confirm_token_signed_ago(pending, 7 * DAY + 60)
    response = getattr(strict_client, method)(confirm_url(token))
    html = response.content.decode()
    assert response.status_code == 410
    assert_private_and_cookie_free(response)
    assert "This confirmation link has expired" in html
    assert '<label for="renew-email">Email address</label>' in html
    assert 'action="/newsletter/subscribe/"' in html
    assert token not in html
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert mailoutbox == []


def test_max_age_is_a_setting(strict_client, pending, settings):
    settings.NEWSLETTER_CONFIRM_MAX_AGE = 60
    token = confirm_token_signed_ago(pending, 120)
    assert strict_client.post(confirm_url(token)).status_code == 410


@pytest.mark.parametrize(
    "forge",
    [
        lambda s: "not-a-token",
        lambda s: tokens.confirm_token(s)[:-2] + "xx",
        lambda s: signing.TimestampSigner(salt=tokens.CONFIRM_SALT, key="guess").sign_object(
            tokens.confirm_payload(s)
        ),
        lambda s: signing.TimestampSigner(salt=tokens.CONFIRM_SALT).sign_object(
            [s.pk + 1, tokens.status_stamp(s)]
        ),
        lambda s: signing.TimestampSigner(salt=tokens.CONFIRM_SALT).sign_object(s.pk),
        tokens.unsubscribe_token,  # a different salt: not a confirmation
    ],
    ids=["garbage", "tampered", "wrong-key", "other-subscriber", "older-form", "unsubscribe-token"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_forged_confirm_link_changes_nothing(strict_client, pending, mailoutbox, forge, method):
    response = getattr(strict_client, method)(confirm_url(forge(pending)))
    assert response.status_code == 400
    assert b"This confirmation link doesn't work" in response.content
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert mailoutbox == []


def test_confirm_link_of_an_unsubscribed_address_no_longer_applies(strict_client, pending):
    token = tokens.confirm_token(pending)
    strict_client.post(unsubscribe_url(tokens.unsubscribe_token(pending)))
    response = strict_client.post(confirm_url(token))
    assert response.status_code == 400
    pending.refresh_from_db()
    assert pending.status == Status.UNSUBSCRIBED


def test_unsubscribe_get_shows_a_button_and_changes_nothing(
    strict_client, pending, django_assert_num_queries
):
    pending.status, pending.confirmed_at = Status.CONFIRMED, timezone.now()
    pending.save()
    with django_assert_num_queries(page_frame_queries(strict_client) + 1):  # the subscriber
        response = strict_client.get(unsubscribe_url(tokens.unsubscribe_token(pending)))
    assert response.status_code == 200
    assert_private_and_cookie_free(response)
    assert "Unsubscribe</button>" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.CONFIRMED


def test_one_click_post_unsubscribes_at_once_without_redirect_cookie_or_token(
    strict_client, pending
):
    url = unsubscribe_url(tokens.unsubscribe_token(pending))
    response = strict_client.post(
        url,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not response.has_header("Location")
    assert_private_and_cookie_free(response)
    assert b"You're unsubscribed" in response.content
    pending.refresh_from_db()
    assert pending.status == Status.UNSUBSCRIBED
    left_at = pending.unsubscribed_at
    assert left_at is not None

    again = strict_client.post(url, {"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    pending.refresh_from_db()
    assert pending.unsubscribed_at == left_at


def test_unsubscribe_pages_record_signups_without_the_token(strict_client, pending):
    token = tokens.unsubscribe_token(pending)
    response = strict_client.post(unsubscribe_url(token))
    html = response.content.decode()
    assert token not in html
    assert 'name="source" value="/newsletter/unsubscribe/"' in html


def test_unsubscribe_token_is_per_subscriber_and_never_expires(pending):
    other = Subscriber.objects.create(email="other@example.com")
    token = tokens.unsubscribe_token(pending)
    assert token == tokens.unsubscribe_token(pending)
    assert token != tokens.unsubscribe_token(other)
    assert tokens.unsubscribe_subscriber_id(token) == pending.pk


@pytest.mark.parametrize(
    "forge",
    [
        lambda s: "garbage",
        lambda s: tokens.unsubscribe_token(s)[:-3] + "abc",
        lambda s: signing.Signer(salt=tokens.UNSUBSCRIBE_SALT).sign_object(s.pk + 99),
        tokens.confirm_token,
    ],
    ids=["garbage", "tampered", "missing-subscriber", "confirm-token"],
)
def test_forged_unsubscribe_link_changes_nothing(strict_client, pending, forge):
    response = strict_client.post(unsubscribe_url(forge(pending)))
    assert response.status_code == 400
    assert b"This unsubscribe link doesn't work" in response.content
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_a_confirm_link_from_an_earlier_signup_stops_working_after_a_re_signup(
    strict_client, mailoutbox, django_capture_on_commit_callbacks
):
    """Issue 14.10: one link, one use. Someone who once had the inbox (or the email) must not
    confirm the address again after its owner left and signed up anew."""

    def signup_link():
        Subscriber.objects.update(signup_emailed_at=None)  # past the hourly email limit
        with django_capture_on_commit_callbacks(execute=True):
            services.subscription_request(
                email="again@example.com", source="/", pitch="Daily.", ip="127.0.0.1"
            )
        (token,) = re.findall(r"/newsletter/confirm/([^/\s]+)/", mailoutbox[-1].body)
        return token

    earlier = signup_link()
    assert strict_client.post(confirm_url(earlier)).status_code == 200
    subscriber = Subscriber.objects.get()
    services.subscription_cancel(token=tokens.unsubscribe_token(subscriber))
    later = signup_link()

    for method in (strict_client.get, strict_client.post):
        response = method(confirm_url(earlier))
        assert response.status_code == 400
        assert b"This confirmation link doesn't work" in response.content
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING

    assert strict_client.post(confirm_url(later)).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Status.CONFIRMED
