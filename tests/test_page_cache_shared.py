"""The page cache shared as production shares it: on Redis, between reader threads, gunicorn
workers and machines. A change made through the admin reaches every reader at once."""

import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection
from django.test import Client

from tests.desk import run_action, save_in_admin
from tests.factories import editor_user, make_article, make_topic
from tests.processes import serving_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)
TRIALS = 20


@pytest.fixture
def shared_pages(settings, redis_cache):
    settings.PAGE_CACHE_SECONDS = 300
    return redis_cache


class Readers:
    """Three anonymous readers requesting one page over and over, each on its own thread (and
    database connection), remembering when each request started and what it saw."""

    def __init__(self, url, count=3):
        self.url = url
        self.seen = []  # (monotonic start, status, body)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._read) for _ in range(count)]

    def _read(self):
        reader = Client()
        try:
            while not self.stop.is_set():
                started = time.monotonic()
                response = reader.get(self.url)
                with self.lock:
                    self.seen.append((started, response.status_code, response.content))
        finally:
            connection.close()

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        time.sleep(0.15)  # the page is cached and being served
        return self

    def read_after(self, moment, count=6, timeout=10):
        """Let the readers go on until `count` requests have started after `moment`."""
        deadline = time.monotonic() + timeout
        while sum(started >= moment for started, *_ in self.seen) < count:
            assert time.monotonic() < deadline, "the readers stopped reading"
            time.sleep(0.02)

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()


@pytest.mark.parametrize("change", ["unpublish", "headline edit"])
def test_readers_see_an_admin_change_at_once_20_times_out_of_20(
    shared_pages, django_user_model, change
):
    editor = Client()
    editor.force_login(editor_user(django_user_model))
    topic = make_topic("Chips")
    lateness = []
    for trial in range(TRIALS):
        article = make_article(f"Trial {trial}: foundry output rises", topics=[topic])
        old = f"Trial {trial}: foundry output rises".encode()
        with Readers(article.get_absolute_url()) as readers:
            if change == "unpublish":
                run_action(editor, "unpublish", article)
            else:
                save_in_admin(editor, article, headline=f"Trial {trial}: foundry output falls")
            done = time.monotonic()
            readers.read_after(done)
        old_after = [
            started - done
            for started, status, body in readers.seen
            if started >= done and status == 200 and old in body
        ]
        assert any(started < done for started, *_ in readers.seen), "readers started late"
        lateness.append(max(old_after, default=0))
        assert not old_after, f"trial {trial}: the old page served {old_after} s after the change"
    assert len(lateness) == TRIALS


# Two gunicorn instances (two machines) sharing one Redis -------------------------------------


class Browser:
    """Just enough of a browser for the admin over plain HTTP: cookies (the production cookies
    are Secure, which urllib's cookie jar would keep back over http), the CSRF token."""

    def __init__(self, base):
        self.base = base
        self.cookies = {}

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if data is not None:
            headers["Origin"] = self.base
            headers["Referer"] = self.base + path
        request = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        opener = urllib.request.build_opener(NoRedirects)
        try:
            response = opener.open(request, timeout=10)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.read()

    def csrf(self, path):
        status, html = self.request(path)
        assert status == 200, (path, status)
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def two_machines(shared_pages):
    """Two gunicorn instances with production settings on the test database, each with its
    own workers, sharing the test's Redis cache (its URL and key prefix)."""
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    env = {
        "DATABASE_URL": url,
        "CACHE_URL": shared_pages.url,
        "CACHE_KEY_PREFIX": shared_pages.prefix,
        "PAGE_CACHE_SECONDS": "300",
        "WEB_CONCURRENCY": "2",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    with serving_gunicorn(**env) as first, serving_gunicorn(**env) as second:
        yield first.url, second.url


def _get(base, path):
    try:
        return Browser(base).request(path)
    except OSError:
        return None, b""


def test_a_change_through_one_machine_is_seen_on_the_other(two_machines, django_user_model):
    first, second = two_machines
    user = editor_user(django_user_model)
    user.set_password("a long editor password")
    user.save()
    article = make_article("Shared cache story")
    path = article.get_absolute_url()
    for base in (first, second):  # every worker of both machines has the page cached
        for _ in range(6):
            assert _get(base, path)[0] == 200

    desk = Browser(first)
    token = desk.csrf("/admin/login/")
    status, _ = desk.request(
        "/admin/login/?next=/admin/",
        {
            "csrfmiddlewaretoken": token,
            "username": user.username,
            "password": "a long editor password",
        },
    )
    assert status == 302, "the editor could not log in"
    token = desk.csrf("/admin/articles/article/")
    status, _ = desk.request(
        "/admin/articles/article/",
        {"csrfmiddlewaretoken": token, "action": "unpublish", "_selected_action": [article.pk]},
    )
    assert status == 302
    done = time.monotonic()
    while _get(second, path)[0] != 404:
        assert time.monotonic() - done < 1, "the other machine still serves the unpublished page"
        time.sleep(0.05)
    for _ in range(6):  # every worker of the other machine
        assert _get(second, path)[0] == 404
