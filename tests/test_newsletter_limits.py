"""Signup limits hold under concurrent requests: the live server answers each request in its
own thread with its own database connection, as separate gunicorn workers would."""

import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from newsletter import ratelimit
from newsletter.models import ConsentRecord, RateLimit, Subscriber


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(_NoRedirect)


def post_signup(base_url, email):
    body = urllib.parse.urlencode({"email": email, "source": "/"}).encode()
    request = urllib.request.Request(f"{base_url}/newsletter/subscribe/", data=body)  # noqa: S310
    try:
        with OPENER.open(request, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read()


def all_at_once(base_url, emails):
    """POST every signup from its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(emails))
    results = [None] * len(emails)

    def run(index, email):
        barrier.wait()
        results[index] = post_signup(base_url, email)

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(emails)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def clear_of_window_edge(window, margin=3):
    """Wait until the current window has a few seconds left, so one burst lands in one window."""
    left = window - time.time() % window
    if left < margin:
        time.sleep(left + 0.1)


@pytest.mark.django_db
def test_hits_count_per_key_and_window():
    start = 1_800_000_000 - 1_800_000_000 % 600
    verdicts = [ratelimit.hit("k:a", limit=2, window=600, now=start + i) for i in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert [v.count for v in verdicts] == [1, 2, 3]
    assert verdicts[2].retry_after == 598
    assert ratelimit.hit("k:b", limit=2, window=600, now=start + 5).count == 1
    assert ratelimit.hit("k:a", limit=2, window=600, now=start + 600).count == 1


@pytest.mark.django_db
def test_opening_a_window_purges_day_old_counters():
    now = 1_800_000_000
    RateLimit.objects.create(key="k:old", window_start=now - 90_000, count=3)
    RateLimit.objects.create(key="k:recent", window_start=now - 3_600, count=3)
    ratelimit.hit("k:new", limit=5, window=600, now=now)
    assert set(RateLimit.objects.values_list("key", flat=True)) == {"k:recent", "k:new"}


def test_windows_longer_than_the_purge_horizon_are_refused():
    with pytest.raises(ValueError, match="window"):
        ratelimit.hit("k", limit=1, window=2 * ratelimit.KEEP_SECONDS)


def test_network_limit_holds_under_concurrent_signups(live_server, settings):
    settings.NEWSLETTER_SIGNUPS_PER_NETWORK = 5
    clear_of_window_edge(settings.NEWSLETTER_SIGNUP_WINDOW)
    emails = [f"crowd{i}@example.com" for i in range(12)]
    results = all_at_once(live_server.url, emails)
    statuses = sorted(status for status, _ in results)
    assert statuses == [303] * 5 + [429] * 7
    refused = next(body for status, body in results if status == 429).decode()
    assert "Too many signups from your network" in refused
    assert "Please try again in" in refused
    assert Subscriber.objects.count() == 5
    assert ConsentRecord.objects.count() == 5
    (counter,) = RateLimit.objects.all()
    assert (counter.key, counter.count) == ("signup:127.0.0.0/24", 12)


@pytest.mark.parametrize("known", [False, True], ids=["new-address", "known-address"])
def test_one_email_per_address_under_concurrent_signups(live_server, settings, smtp_mailer, known):
    settings.NEWSLETTER_SIGNUPS_PER_NETWORK = 100
    if known:
        last_emailed = timezone.now() - timedelta(hours=2)
        Subscriber.objects.create(email="rush@example.com", signup_emailed_at=last_emailed)
    emails = ["Rush@example.com", "rush@example.com", "RUSH@EXAMPLE.COM"] * 3
    results = all_at_once(live_server.url, emails)
    # Every request has answered, and each queued its email before answering: no more come.
    assert [status for status, _ in results] == [303] * len(emails)
    assert len(smtp_mailer.messages) == 1
    subscriber = Subscriber.objects.get()
    assert subscriber.consent_records.count() == len(emails)
    assert smtp_mailer.envelopes[0] == [subscriber.email]


@pytest.mark.django_db
def test_a_second_signup_within_the_hour_sends_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/newsletter/subscribe/", {"email": "twice@example.com"})
        second = client.post("/newsletter/subscribe/", {"email": "twice@example.com"})
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert len(mailoutbox) == 1

    Subscriber.objects.update(signup_emailed_at=timezone.now() - timedelta(minutes=61))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/newsletter/subscribe/", {"email": "twice@example.com"})
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_over_the_network_limit_the_answer_is_a_friendly_429(client, settings):
    settings.NEWSLETTER_SIGNUPS_PER_NETWORK = 1
    clear_of_window_edge(settings.NEWSLETTER_SIGNUP_WINDOW)
    client.post("/newsletter/subscribe/", {"email": "first@example.com"})
    response = client.post("/newsletter/subscribe/", {"email": "second@example.com"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.NEWSLETTER_SIGNUP_WINDOW
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert b"Too many signups from your network" in response.content
    assert not Subscriber.objects.filter(email="second@example.com").exists()
    # Another network is not affected.
    other = client.post(
        "/newsletter/subscribe/", {"email": "third@example.com"}, REMOTE_ADDR="198.51.100.7"
    )
    assert other.status_code == 303
