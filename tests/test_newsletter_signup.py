"""The "Join Now" form: the same answer for every address, nothing kept from bad input,
cross-site posts refused, bots dropped, and public pages free of per-visitor state."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone
from django.utils.html import escape

from articles.models import Article
from newsletter.models import ConsentRecord, Subscriber

SUBSCRIBE = "/newsletter/subscribe/"
CHECK_INBOX = "/newsletter/check-your-inbox/"

pytestmark = pytest.mark.django_db


def join(client, email, *, source="/", website="", **headers):
    return client.post(
        SUBSCRIBE, {"email": email, "source": source, "website": website}, headers=headers
    )


def ids_in(html):
    return re.findall(r'\sid="([^"]+)"', html)


def assert_no_visitor_state(response):
    html = response.content.decode()
    assert not response.cookies
    assert not response.has_header("Set-Cookie")
    assert "cookie" not in response.get("Vary", "").lower()
    assert "csrfmiddlewaretoken" not in html
    assert "nonce" not in html


@pytest.fixture
def article():
    return Article.objects.create(
        headline="Harbour lab opens its weather model",
        slug="harbour-lab-weather-model",
        dek="Forecasters can now run it themselves.",
        summary="The lab published the weights of its regional forecasting model.",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
    )


def test_home_carries_the_pitch_without_cookie_token_or_nonce(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert_no_visitor_state(response)
    assert escape(settings.NEWSLETTER_PITCH) in html
    assert f'<form class="pitch-form" method="post" action="{SUBSCRIBE}">' in html
    assert '<label for="footer-email">Email address</label>' in html
    assert re.search(r'<input id="footer-email" type="email" name="email" required', html)
    assert '<input type="hidden" name="source" value="/">' in html
    assert '<div class="pitch-trap" hidden aria-hidden="true">' in html
    assert re.search(r'name="website" tabindex="-1" autocomplete="off"', html)
    assert '<button type="submit">Join Now</button>' in html
    assert "style=" not in html


def test_article_page_shows_the_pitch_twice_with_unique_ids(client, article):
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert_no_visitor_state(response)
    assert html.count("Join Now</button>") == 2
    assert html.count(f'name="source" value="{article.get_absolute_url()}"') == 2
    ids = ids_in(html)
    assert len(ids) == len(set(ids)), sorted(ids)


def test_signup_page_and_check_inbox_page_are_public_and_stateless(client):
    for url in (SUBSCRIBE, CHECK_INBOX):
        response = client.get(url)
        assert response.status_code == 200
        assert_no_visitor_state(response)
        ids = ids_in(response.content.decode())
        assert len(ids) == len(set(ids)), sorted(ids)


def test_new_address_gets_pending_row_consent_record_and_one_confirmation(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = join(client, "  Reader.One@Example.COM ", source="/news/some-story/")
    assert response.status_code == 303
    assert response["Location"] == CHECK_INBOX
    assert_no_visitor_state(response)
    assert len(callbacks) == 1
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Reader.One@example.com"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.confirmed_at is None and subscriber.unsubscribed_at is None
    consent = subscriber.consent_records.get()
    assert consent.source == "/news/some-story/"
    assert consent.pitch == settings.NEWSLETTER_PITCH
    assert consent.ip_network == "127.0.0.0/24"
    assert [m.to for m in mailoutbox] == [["Reader.One@example.com"]]
    assert mailoutbox[0].subject.startswith("Confirm your subscription")


def test_nothing_is_sent_before_the_transaction_commits(client, mailoutbox):
    """Without running on-commit callbacks, the request has queued but not sent anything."""
    join(client, "patient@example.com")
    assert Subscriber.objects.filter(email="patient@example.com").exists()
    assert mailoutbox == []


def make_subscriber(email, status, *, emailed_hours_ago=2):
    now = timezone.now()
    return Subscriber.objects.create(
        email=email,
        status=status,
        confirmed_at=now if status == Subscriber.Status.CONFIRMED else None,
        unsubscribed_at=now if status == Subscriber.Status.UNSUBSCRIBED else None,
        signup_emailed_at=now - timedelta(hours=emailed_hours_ago),
    )


def test_every_address_state_gets_the_identical_answer(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    make_subscriber("pending@example.com", Subscriber.Status.PENDING)
    make_subscriber("confirmed@example.com", Subscriber.Status.CONFIRMED)
    make_subscriber("left@example.com", Subscriber.Status.UNSUBSCRIBED)
    answers = []
    for email in (
        "new@example.com",
        "pending@example.com",
        "confirmed@example.com",
        "left@example.com",
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = join(client, email)
        followed = client.get(response["Location"])
        answers.append(
            (
                response.status_code,
                response["Location"],
                sorted(response.headers.items()),
                followed.status_code,
                followed.content,
            )
        )
    assert all(answer == answers[0] for answer in answers[1:])
    assert b"Check your inbox to confirm" in answers[0][4]
    statuses = dict(Subscriber.objects.values_list("email", "status"))
    assert statuses == {
        "new@example.com": "pending",
        "pending@example.com": "pending",
        "confirmed@example.com": "confirmed",  # never downgraded
        "left@example.com": "pending",  # a new double opt-in
    }
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects["confirmed@example.com"].startswith("You are already subscribed")
    for email in ("new@example.com", "pending@example.com", "left@example.com"):
        assert subjects[email].startswith("Confirm your subscription")
    assert ConsentRecord.objects.count() == 4


def test_address_is_unique_whatever_its_case(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        join(client, "Same.Person@example.com")
        join(client, "same.person@EXAMPLE.com")
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Same.Person@example.com"
    assert subscriber.consent_records.count() == 2
    with pytest.raises(IntegrityError):
        Subscriber.objects.create(email="SAME.PERSON@example.com")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter your email address."),
        ("   ", "Enter your email address."),
        ("not-an-address", "Enter a complete email address"),
        ("name@", "Enter a complete email address"),
        ("a" * 250 + "@example.com", "That is too long for an email address (262 characters"),
        ("victim@example.com\r\nBcc: everyone@example.com", "without line breaks"),
        ("victim@example.com\nSubject: hi", "without line breaks"),
        ("victim@example.com%0ABcc:x@example.com", "Enter just one address"),
        ("victim@example.com, other@example.com", "Enter just one address"),
        ("Victim <victim@example.com>", "Enter just one address"),
        ('"odd,local"@example.com', "Enter just one address"),
        ("victim@example.com\x00", "Null characters are not allowed"),
    ],
)
def test_invalid_input_rerenders_with_message_and_typed_value_and_changes_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks, typed, message
):
    with django_capture_on_commit_callbacks(execute=True):
        response = join(client, typed, source="/news/a-story/")
    html = response.content.decode()
    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]
    assert_no_visitor_state(response)
    error = re.search(r'<p class="field-error" id="page-error">([^<]*)</p>', html)
    assert error and message in error.group(1).replace("&#x27;", "'")
    field = re.search(r'<input id="page-email"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="page-error"' in field
    if typed.strip():
        kept = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        kept = kept.replace('"', "&quot;")
        assert f'value="{kept}"' in field
    assert '<input type="hidden" name="source" value="/news/a-story/">' in html
    assert not Subscriber.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://elsewhere.example"},
        {"Origin": "http://testserver.elsewhere.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://news.testserver"},
        # Sec-Fetch-Site comes from the browser itself and decides when present.
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"},
    ],
)
def test_cross_site_post_is_refused_and_changes_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks, headers
):
    with django_capture_on_commit_callbacks(execute=True):
        response = join(client, "target@example.com", **headers)
    assert response.status_code == 403
    assert b"We couldn't accept that form" in response.content
    assert_no_visitor_state(response)
    assert not Subscriber.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "http://testserver"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
    ],
)
def test_same_origin_or_silent_post_is_accepted(client, headers):
    response = join(client, "welcome@example.com", **headers)
    assert response.status_code == 303
    assert Subscriber.objects.filter(email="welcome@example.com").exists()


def test_honeypot_gets_the_same_answer_but_no_row_and_no_email(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        human = join(client, "human@example.com")
        bot = join(client, "bot@example.com", website="https://spam.example")
    assert (bot.status_code, bot["Location"]) == (human.status_code, human["Location"])
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["human@example.com"]
    assert [m.to for m in mailoutbox] == [["human@example.com"]]


def test_get_never_subscribes(client):
    response = client.get(SUBSCRIBE, {"email": "link@example.com"})
    assert response.status_code == 200
    assert not Subscriber.objects.exists()


def test_source_outside_the_site_is_recorded_as_unknown(client):
    join(client, "from-afar@example.com", source="https://elsewhere.example/page")
    assert ConsentRecord.objects.get().source == ""


@pytest.mark.parametrize(
    ("remote", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
    ],
)
def test_consent_keeps_only_the_clients_network(client, remote, network):
    client.post(SUBSCRIBE, {"email": "net@example.com"}, REMOTE_ADDR=remote)
    assert ConsentRecord.objects.get().ip_network == network


def test_forwarded_for_is_ignored_from_a_client_that_is_not_our_proxy(client):
    client.post(
        SUBSCRIBE,
        {"email": "direct@example.com"},
        REMOTE_ADDR="192.0.2.10",
        headers={"X-Forwarded-For": "198.51.100.1"},
    )
    assert ConsentRecord.objects.get().ip_network == "192.0.2.0/24"


def test_forwarded_for_names_the_client_behind_one_trusted_proxy(client, settings):
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.2"]
    client.post(
        SUBSCRIBE,
        {"email": "proxied@example.com"},
        REMOTE_ADDR="10.0.0.2",
        headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.1"},  # the first hop is forgeable
    )
    assert ConsentRecord.objects.get().ip_network == "198.51.100.0/24"


def test_signup_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    # On-commit callbacks never run inside the test's transaction: this counts the request.
    # New address: limit upsert, purge of old windows, savepoint, locked lookup, savepoint,
    # insert, release, consent insert, update (email queued), release.
    with django_assert_num_queries(10):
        join(client, "count-me@example.com")
    # Known address within the hour: upsert, savepoint, locked lookup, consent insert, release.
    with django_assert_num_queries(5):
        join(client, "count-me@example.com")
