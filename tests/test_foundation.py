"""The foundation: settings parsed from the environment, probes, error pages."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PRINT_SETTINGS = (
    "import json; from newsroom import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default'], 'cache': s.CACHES['default'], "
    "'mailers': s.MAILERS, 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, 'tz': s.TIME_ZONE}, "
    "default=str))"
)


def settings_for(**environ):
    """Import the settings module in a clean process with exactly these variables."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/")}
    env.update(environ)
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return result


def parsed(**environ):
    result = settings_for(**environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_unset_database_url_means_embedded_sqlite():
    config = parsed(DEBUG="true")
    assert config["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert config["db"]["NAME"].endswith(os.path.join("var", "newsroom.sqlite3"))
    assert config["debug"] is True
    assert config["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    # The quick start keeps email in the development outbox (printed, listed at /dev/outbox/).
    assert config["mailers"]["default"]["BACKEND"] == "newsroom.outbox.OutboxMailer"


def test_postgres_url_gets_persistent_health_checked_connections():
    config = parsed(
        DEBUG="true", DATABASE_URL="postgres://news:pw@db.internal:6543/paper", CONN_MAX_AGE="120"
    )
    db = config["db"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == (
        "db.internal",
        6543,
        "paper",
        "news",
    )
    assert db["CONN_MAX_AGE"] == 120
    assert db["CONN_HEALTH_CHECKS"] is True
    assert "pool" not in db["OPTIONS"]


def test_pool_variable_switches_to_psycopg_pool_without_persistent_connections():
    config = parsed(
        DEBUG="true", DATABASE_URL="postgres://postgres@127.0.0.1/newsroom", DATABASE_POOL="true"
    )
    db = config["db"]
    assert db["CONN_MAX_AGE"] == 0
    assert isinstance(db["OPTIONS"]["pool"], dict)


def test_redis_cache_url_uses_djangos_redis_backend():
    config = parsed(DEBUG="true", CACHE_URL="redis://127.0.0.1:6379/3")
    assert config["cache"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert config["cache"]["LOCATION"] == "redis://127.0.0.1:6379/3"


def test_email_url_builds_a_mailers_smtp_entry():
    config = parsed(DEBUG="true", EMAIL_URL="submission://ann%40x.org:s3cret@mail.example:2587")
    mailer = config["mailers"]["default"]
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"]["host"] == "mail.example"
    assert mailer["OPTIONS"]["port"] == 2587
    assert mailer["OPTIONS"]["username"] == "ann@x.org"
    assert mailer["OPTIONS"]["password"] == "s3cret"
    assert mailer["OPTIONS"]["use_tls"] is True


def test_time_zone_is_for_display_only():
    config = parsed(DEBUG="true", TIME_ZONE="Europe/Paris")
    assert config["tz"] == "Europe/Paris"


def test_debug_off_without_secret_key_fails_in_one_line_naming_it():
    env = {"PATH": os.environ["PATH"], "ALLOWED_HOSTS": "x.example"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_debug_off_without_allowed_hosts_fails():
    result = settings_for(SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_healthz_answers_without_the_database(client):
    # No django_db mark: pytest-django raises on any database access.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readyz_answers_when_the_database_does(client):
    assert connection.vendor == "postgresql"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ready\n"


@pytest.mark.django_db
def test_404_page_is_branded_and_leaks_nothing(client, settings):
    assert settings.DEBUG is False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "find that page" in body
    assert settings.SITE_NAME in body
    assert "Traceback" not in body and "urlpatterns" not in body


@pytest.mark.django_db
@pytest.mark.urls("tests.urls_errors")
def test_500_page_is_branded_and_leaks_nothing(client):
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "secret-internal-detail" not in body
    assert "Traceback" not in body and "SECRET_KEY" not in body
