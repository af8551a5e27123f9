"""A small fediverse server for the tests, on 127.0.0.1: accounts with their own RSA key, an
inbox per account and a shared one that record what arrives (and can answer 500 or hang),
signed requests to the newsroom, and a check of the newsroom's signatures written apart from
the newsroom's own code (so a mistake there cannot cancel itself out here)."""

import base64
import hashlib
import json
import threading
import time
import urllib.request
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ACTIVITY_JSON = "application/activity+json"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key):
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass
class Received:
    method: str
    path: str
    headers: dict  # lower-case names
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _record(self, body=b""):
        instance = self.server.instance
        request = Received(
            self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
        )
        with instance.arrived:
            instance.requests.append(request)
            instance.arrived.notify_all()
        return instance

    def _answer(self, status, body=b"", content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        instance = self._record()
        name = self.path.removeprefix("/users/")
        if self.path.startswith("/users/") and name in instance.names:
            body = instance.actor_document(name)
            if instance.padding:
                body = {**body, "padding": "x" * instance.padding}
            if instance.mode == "hang":
                instance.release.wait(30)
            self._answer(200, json.dumps(body).encode(), ACTIVITY_JSON)
        else:
            self._answer(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        instance = self._record(self.rfile.read(length))
        if instance.mode == "hang":
            instance.release.wait(30)
            return
        self._answer(500 if instance.mode == "fail" else 202)


class FakeInstance:
    """One server: accounts `names`, each with a personal inbox, and a shared inbox unless
    `shared_inbox` is False. `mode` is "ok" (202), "fail" (500) or "hang" (no answer until
    the test ends)."""

    def __init__(self, names=("reader",), shared_inbox=True, key=None):
        self.names = set(names)
        self.shared_inbox = shared_inbox
        self.key = key or new_key()
        self.mode = "ok"
        self.padding = 0
        self.requests = []
        self.arrived = threading.Condition()
        self.release = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, address: None  # a client that gave up
        self.httpd.instance = self
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def domain(self):
        return urlsplit(self.base).netloc

    def actor(self, name="reader"):
        return f"{self.base}/users/{name}"

    def inbox(self, name="reader"):
        return f"{self.actor(name)}/inbox"

    def actor_document(self, name):
        document = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.actor(name),
            "type": "Person",
            "preferredUsername": name,
            "name": name.title(),
            "inbox": self.inbox(name),
            "url": f"{self.base}/@{name}",
            "publicKey": {
                "id": f"{self.actor(name)}#main-key",
                "owner": self.actor(name),
                "publicKeyPem": public_pem(self.key),
            },
        }
        if self.shared_inbox:
            document["endpoints"] = {"sharedInbox": f"{self.base}/inbox"}
        return document

    # --- What arrived ---

    def posts(self):
        with self.arrived:
            return [r for r in self.requests if r.method == "POST"]

    def wait_for_posts(self, count, timeout=10):
        with self.arrived:
            self.arrived.wait_for(
                lambda: sum(r.method == "POST" for r in self.requests) >= count, timeout=timeout
            )
        posts = self.posts()
        assert len(posts) >= count, f"expected {count} deliveries, got {len(posts)}"
        return posts

    def activities(self, kind=None):
        return [p.json for p in self.posts() if kind is None or p.json.get("type") == kind]

    # --- Talking to the newsroom ---

    def signed(self, url, activity, name="reader", *, key=None, key_id=None, date=None):
        """(body, headers) of a POST of `activity` to `url`, signed the way Mastodon does."""
        body = json.dumps(activity).encode()
        parts = urlsplit(url)
        headers = {
            "host": parts.netloc,
            "date": date or formatdate(usegmt=True),
            "digest": "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode(),
            "content-type": ACTIVITY_JSON,
        }
        names = ["(request-target)", "host", "date", "digest", "content-type"]
        lines = [f"(request-target): post {parts.path}"]
        lines += [f"{n}: {headers[n]}" for n in names[1:]]
        signature = (key or self.key).sign(
            "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        headers["signature"] = (
            f'keyId="{key_id or self.actor(name) + "#main-key"}",algorithm="rsa-sha256",'
            f'headers="{" ".join(names)}",signature="{base64.b64encode(signature).decode()}"'
        )
        return body, headers

    def post(self, url, activity, name="reader", **signing):
        """POST a signed activity to the newsroom over HTTP; returns (status, text)."""
        body, headers = self.signed(url, activity, name, **signing)
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (loopback)
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def get_json(url, accept=ACTIVITY_JSON):
    request = urllib.request.Request(url, headers={"Accept": accept})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (loopback)
        return answer.headers.get("Content-Type"), json.loads(answer.read())


def verify(received, public_key_pem, *, max_age=300):
    """Check a request the newsroom sent: its Digest matches the body and its Signature,
    rebuilt from the headers it names, verifies with `public_key_pem`. Returns the keyId."""
    params = {}
    for part in received.headers["signature"].split('",'):
        name, _, value = part.partition('="')
        params[name.strip()] = value.rstrip('"')
    names = params["headers"].split()
    assert {"(request-target)", "host", "date"} <= set(names)
    if received.method == "POST":
        assert "digest" in names
        expected = base64.b64encode(hashlib.sha256(received.body).digest()).decode()
        assert received.headers["digest"] == f"SHA-256={expected}"
    sent = time.mktime(time.strptime(received.headers["date"], "%a, %d %b %Y %H:%M:%S GMT"))
    assert abs(sent - time.mktime(time.gmtime())) < max_age
    lines = [
        f"(request-target): {received.method.lower()} {received.path}"
        if name == "(request-target)"
        else f"{name}: {received.headers[name]}"
        for name in names
    ]
    key = serialization.load_pem_public_key(public_key_pem.encode())
    key.verify(
        base64.b64decode(params["signature"]),
        "\n".join(lines).encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    return params["keyId"]
