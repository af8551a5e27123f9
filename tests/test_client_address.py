"""The client address behind our proxy: the admin lockout and the signup limits count real
clients, a stranger cannot lock an editor out, a direct client cannot pick its own address, and
a proxy we do not trust is reported."""

import logging
import runpy

import pytest
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIHandler

from newsletter.models import ConsentRecord
from newsroom import logins

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"  # the shipped deploy/nginx.conf, on the same machine
EDITOR_PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    # The lockout is under test, not the hashing: PBKDF2 makes each of these logins cost a
    # second on a busy machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def through_proxy(client_address):
    """What gunicorn hands Django for a reader at `client_address` behind the shipped nginx."""
    return {"REMOTE_ADDR": PROXY, "headers": {"X-Forwarded-For": client_address}}


@pytest.fixture
def login(settings):
    return "/" + settings.ADMIN_URL + "login/"


@pytest.fixture
def editor():
    return get_user_model().objects.create_user("editor", password=EDITOR_PASSWORD, is_staff=True)


def attempt(client, login, password, *, username="editor", **where):
    return client.post(login, {"username": username, "password": password}, **where)


def test_a_stranger_behind_the_proxy_cannot_lock_the_editor_out(client, login, editor):
    stranger = through_proxy("198.51.100.66")
    for _ in range(5):
        assert attempt(client, login, "guess", **stranger).status_code in (200, 429)
    assert attempt(client, login, EDITOR_PASSWORD, **stranger).status_code == 429

    # The editor, from home, through the same proxy: not locked.
    response = attempt(client, login, EDITOR_PASSWORD, **through_proxy("203.0.113.5"))
    assert response.status_code == 302


def test_the_editor_mistyping_locks_only_their_own_address(client, login, editor):
    for _ in range(5):
        attempt(client, login, "typo", **through_proxy("203.0.113.5"))
    assert (
        attempt(client, login, EDITOR_PASSWORD, **through_proxy("203.0.113.5")).status_code == 429
    )
    assert (
        attempt(client, login, EDITOR_PASSWORD, **through_proxy("203.0.113.6")).status_code == 302
    )


def test_one_address_spraying_many_usernames_is_locked_for_all_of_them(
    client, login, editor, settings
):
    sprayer = through_proxy("198.51.100.99")
    per_username = settings.AXES_FAILURE_LIMIT - 1  # never enough to lock one pair
    names = [f"user{n}" for n in range(logins.ADDRESS_FAILURE_LIMIT // per_username)]
    for name in names:
        for _ in range(per_username):
            attempt(client, login, "Summer2026!", username=name, **sprayer)
    # The sprayer's address is locked, even for a username it never tried...
    assert attempt(client, login, EDITOR_PASSWORD, **sprayer).status_code == 429
    # ...and nobody else is.
    assert (
        attempt(client, login, EDITOR_PASSWORD, **through_proxy("203.0.113.5")).status_code == 302
    )


def test_a_client_that_is_not_our_proxy_cannot_name_its_own_address(client, login, editor):
    # Straight to gunicorn, with a new forged X-Forwarded-For each time.
    for n in range(5):
        attempt(
            client,
            login,
            "guess",
            REMOTE_ADDR="198.51.100.66",
            headers={"X-Forwarded-For": f"192.0.2.{n}"},
        )
    response = attempt(
        client,
        login,
        EDITOR_PASSWORD,
        REMOTE_ADDR="198.51.100.66",
        headers={"X-Forwarded-For": "192.0.2.200"},
    )
    assert response.status_code == 429


def test_addresses_a_client_wrote_before_our_proxy_are_not_believed(client, login, editor):
    # The client sends "X-Forwarded-For: <anything>"; a proxy that appends instead of replacing
    # passes it on in front of the address it saw.
    for n in range(5):
        attempt(client, login, "guess", **through_proxy(f"192.0.2.{n}, 198.51.100.66"))
    locked = attempt(client, login, EDITOR_PASSWORD, **through_proxy("192.0.2.9, 198.51.100.66"))
    assert locked.status_code == 429


def test_a_chain_of_trusted_proxies_is_walked_back_to_the_client(client, login, editor, settings):
    settings.FORWARDED_ALLOW_IPS = ["127.0.0.1", "10.0.0.0/8"]  # nginx, and a balancer before it
    chain = through_proxy("6.6.6.6, 198.51.100.66, 10.0.0.7")
    for _ in range(5):
        attempt(client, login, "guess", **chain)
    assert attempt(client, login, EDITOR_PASSWORD, **chain).status_code == 429
    other = through_proxy("6.6.6.6, 203.0.113.5, 10.0.0.7")
    assert attempt(client, login, EDITOR_PASSWORD, **other).status_code == 302


def join(client, email, **where):
    return client.post("/newsletter/subscribe/", {"email": email, "website": ""}, **where)


def test_signup_limits_count_each_reader_behind_the_proxy(client, settings):
    settings.NEWSLETTER_SIGNUPS_PER_NETWORK = 2
    busy = through_proxy("198.51.100.10")
    assert [join(client, f"b{n}@example.com", **busy).status_code for n in range(3)] == [
        303,
        303,
        429,
    ]
    # Another reader behind the same proxy still joins.
    assert join(client, "other@example.com", **through_proxy("203.0.113.10")).status_code == 303
    assert (
        ConsentRecord.objects.get(subscriber__email="other@example.com").ip_network
        == "203.0.113.0/24"
    )


def test_a_request_through_a_proxy_we_do_not_trust_is_reported_once(client, caplog):
    caplog.set_level(logging.WARNING, logger="newsroom.client")
    untrusted = {"REMOTE_ADDR": "10.9.8.7", "headers": {"X-Forwarded-For": "198.51.100.1"}}
    for _ in range(3):
        assert client.get("/healthz", **untrusted).status_code == 200
    reports = [r for r in caplog.records if r.name == "newsroom.client"]
    assert len(reports) == 1
    assert "10.9.8.7" in reports[0].getMessage()
    assert "FORWARDED_ALLOW_IPS" in reports[0].getMessage()


def test_requests_through_our_proxy_or_without_one_are_not_reported(client, caplog):
    caplog.set_level(logging.WARNING, logger="newsroom.client")
    client.get("/healthz", **through_proxy("198.51.100.1"))
    client.get("/healthz", REMOTE_ADDR="198.51.100.2")
    assert not [r for r in caplog.records if r.name == "newsroom.client"]


def test_check_deploy_warns_when_any_peer_may_name_its_client(settings):
    settings.FORWARDED_ALLOW_IPS = ["*"]
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "newsroom.W001" in {message.id for message in found}
    settings.FORWARDED_ALLOW_IPS = ["127.0.0.1", "::1"]
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "newsroom.W001" not in {message.id for message in found}


def test_a_malformed_proxy_address_stops_start_up_and_fails_the_check(settings):
    settings.FORWARDED_ALLOW_IPS = ["127.0.0.1", "nginx.internal"]
    with pytest.raises(ImproperlyConfigured, match="nginx.internal"):
        WSGIHandler()  # what gunicorn loads
    found = checks.run_checks(tags=[checks.Tags.security])
    assert [m.id for m in found if "nginx.internal" in m.msg] == ["newsroom.E001"]


def test_gunicorn_and_django_trust_the_same_proxies_by_default(settings, monkeypatch):
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    django = runpy.run_path(str(settings.BASE_DIR / "newsroom" / "settings.py"))
    gunicorn = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    assert django["FORWARDED_ALLOW_IPS"] == ["127.0.0.1", "::1"]
    assert gunicorn["forwarded_allow_ips"].split(",") == django["FORWARDED_ALLOW_IPS"]


def test_something_that_is_not_an_address_stops_at_the_last_address_known(
    client, login, editor, settings
):
    from axes.models import AccessAttempt

    settings.FORWARDED_ALLOW_IPS = ["*"]  # any peer may name its client
    response = attempt(
        client,
        login,
        "guess",
        REMOTE_ADDR="198.51.100.66",
        headers={"X-Forwarded-For": "not-an-address"},
    )
    assert response.status_code == 200
    assert AccessAttempt.objects.get().ip_address == "198.51.100.66"
