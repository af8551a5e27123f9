"""The shipped front, run for real: deploy/nginx.conf (Debian's nginx) in front of the app names
each client itself, and two gunicorn instances started with gunicorn.conf.py keep out of each
other's way."""

import http.client
import re
import shutil
import socket
import time
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model

from bench import support
from tests.processes import free_port, serving_gunicorn, stop


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    # The lockout is under test, not the hashing: PBKDF2 makes each of these logins cost a
    # second on a busy machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Visitor:
    """A browser at its own address: Linux routes all of 127.0.0.0/8 to loopback, so a client
    socket bound to 127.0.0.N reaches nginx from that address."""

    def __init__(self, address, port):
        self.address, self.port, self.cookies = address, port, {}

    def request(self, method, path, form=None, headers=()):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=20, source_address=(self.address, 0)
        )
        sent = dict(headers)
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        content = response.read().decode()
        connection.close()
        return response.status, content

    def log_in(self, admin, username, password, headers=()):
        status, page = self.request("GET", admin + "login/", headers=headers)
        assert status == 200, page[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
        return self.request("POST", admin + "login/", form, headers=headers)[0]


@pytest.mark.django_db(transaction=True)
def test_through_the_shipped_nginx_a_stranger_cannot_lock_the_editor_out(live_server, settings):
    get_user_model().objects.create_user("editor", password="correct-horse-8", is_staff=True)
    admin = "/" + settings.ADMIN_URL
    assert shutil.which("nginx"), "the front's tests run Debian's nginx: apt install nginx"
    port = free_port()
    with support.nginx(support.shipped_front(urlsplit(live_server.url).port, port)):
        stranger = Visitor("127.0.0.66", port)
        for n in range(settings.AXES_FAILURE_LIMIT):
            # Each try claims another address: the shipped front must not pass that on.
            forged = {"X-Forwarded-For": f"192.0.2.{n}", "X-Real-IP": f"192.0.2.{n}"}
            assert stranger.log_in(admin, "editor", "guess", forged) in (200, 429)
        assert stranger.log_in(admin, "editor", "correct-horse-8") == 429

        editor = Visitor("127.0.0.5", port)
        assert editor.log_in(admin, "editor", "correct-horse-8") == 302


# gunicorn ------------------------------------------------------------------------------------


def gunicorn(runtime_dir, **env):
    """gunicorn with our config; its default control socket would go under `runtime_dir`."""
    return serving_gunicorn(
        WEB_CONCURRENCY="1", XDG_RUNTIME_DIR=str(runtime_dir), HOME=str(runtime_dir), **env
    )


def sockets_under(folder):
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_socket())


def answers(path):
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(5)
        try:
            sock.connect(str(path))
        except OSError:
            return False
        return True


def test_two_instances_with_our_config_share_no_control_socket(tmp_path):
    # gunicorn 27 would put both at $XDG_RUNTIME_DIR/gunicorn.ctl, and the first to stop
    # would remove the other's.
    with gunicorn(tmp_path) as first, gunicorn(tmp_path):
        assert sockets_under(tmp_path) == []
        stop(first)
        assert sockets_under(tmp_path) == []


def test_a_control_socket_asked_for_is_the_instances_own(tmp_path):
    own = {name: tmp_path / f"{name}.ctl" for name in ("first", "second")}
    with (
        gunicorn(tmp_path, GUNICORN_CONTROL_SOCKET=str(own["first"])) as first,
        gunicorn(tmp_path, GUNICORN_CONTROL_SOCKET=str(own["second"])),
    ):
        deadline = time.monotonic() + 10
        while not all(answers(path) for path in own.values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sockets_under(tmp_path) == ["first.ctl", "second.ctl"]
        stop(first)
        assert sockets_under(tmp_path) == ["second.ctl"]
        assert answers(own["second"])
