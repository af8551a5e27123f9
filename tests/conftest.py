"""Shared fixtures: a real SMTP server on 127.0.0.1, the production mailer pointed at it,
Playwright driving Debian's Chromium, and a live server whose static files come from WhiteNoise."""

import email
import email.policy
import os
import shutil
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from pytest_django.live_server_helper import LiveServer

from tests.quick_start import copy_project, manage

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@dataclass
class Inbox:
    """Messages received by the test SMTP server, parsed."""

    messages: list = field(default_factory=list)
    envelopes: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = None

    def __post_init__(self):
        self.arrived = threading.Condition(self.lock)

    def wait_for(self, count, timeout=10):
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        assert len(self.messages) >= count, f"expected {count} emails, got {len(self.messages)}"
        return self.messages[:count]

    def to(self, address):
        return [m for m, env in zip(self.messages, self.envelopes, strict=True) if address in env]


class _Handler:
    def __init__(self, inbox):
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.inbox.arrived:
            self.inbox.messages.append(message)
            self.inbox.envelopes.append(list(envelope.rcpt_tos))
            self.inbox.arrived.notify_all()
        return "250 Message accepted"


# A Redis database of the tests' own; every test keys its entries under a prefix of its own, so
# runs sharing the server never meet.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@dataclass
class SharedCache:
    url: str
    prefix: str
    client: object

    def entries(self, pattern="*"):
        return list(self.client.scan_iter(match=f"{self.prefix}:*{pattern}"))


@pytest.fixture
def redis_cache(settings):
    """Django's cache on a real Redis (as production shares it between workers and machines),
    under a key prefix of this test's own, removed afterwards."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(
            f"Redis is not reachable at {TEST_REDIS_URL}: start it (Debian: `redis-server "
            "--daemonize yes --bind 127.0.0.1 --port 6379 --save ''`) or set TEST_REDIS_URL."
        )
    prefix = f"newsroom-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    shared = SharedCache(TEST_REDIS_URL, prefix, client)
    yield shared
    for key in shared.entries():
        client.delete(key)
    client.close()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rolled-back rows must not live on in cached pages."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


class _AnyPortController(Controller):
    """aiosmtpd checks the server is up by connecting to `port`; with port 0 (any free port)
    it must first learn which port the system picked."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def serving_smtp(handler_class=None, port=0):
    """Run a real SMTP server on 127.0.0.1 (any free port by default); yields its Inbox."""
    inbox = Inbox()
    controller = _AnyPortController(
        (handler_class or _Handler)(inbox), hostname="127.0.0.1", port=port
    )
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 for the duration of one test."""
    with serving_smtp() as inbox:
        yield inbox


@pytest.fixture
def smtp_mailer(settings, smtp_server):
    """Send through Django's production SMTP backend to the test server."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 5},
        }
    }
    return smtp_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, kept off the network: this machine's only peers are on 127.0.0.1.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
        ],
    }


def _no_static_handler(app):
    return app


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, minus its static handler.

    That handler serves source files through the finders and knows nothing of the hashed names
    the manifest storage puts in pages, so every stylesheet would 404. Production serves
    STATIC_ROOT through WhiteNoise; with the handler out of the way the tests do the same.
    """
    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.static_handler = _no_static_handler
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def quick_start_database(tmp_path_factory):
    """`make run`'s SQLite database, migrated once per test session (tests/quick_start.py)."""
    project = copy_project(tmp_path_factory.mktemp("quick-start") / "newsroom")
    migrated = manage(project, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    return project / "var" / "newsroom.sqlite3"


@pytest.fixture
def quick_start(tmp_path, quick_start_database):
    """A fresh copy of the project, migrated as `make run` leaves it: its folder."""
    return copy_project(tmp_path / "newsroom", database=quick_start_database)
