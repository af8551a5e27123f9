"""Federation benchmark: one Create to 1,000 followers on 100 servers (never part of the tests).

    .venv/bin/python -m bench.federation_bench [--servers 100] [--followers 1000]
        [--concurrency 1,4,16]

Uses its own PostgreSQL database (FEDERATION_BENCH_DATABASE_URL, default newsroom_bench_fedi).
The servers are fake ones on loopback, all in one sink process of their own: each answers
202, checks every request's Digest and signature against the newsroom's public key, and counts
what it received per inbox. For each run the followers are stored (with and without shared
inboxes), one story is announced the way the write path announces it, and `drain()` (what a
worker runs) is timed until every delivery is settled. Writes the "Federation" section of
bench/RESULTS.md.
"""

import argparse
import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench import support

DATABASE_URL = os.environ.get(
    "FEDERATION_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench_fedi"
)

# --- The sink: fake servers, in a process of their own ---


class _Inbox(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.sink.received(self.server.server_address[1], self.path, self.headers, body)
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


class SinkState:
    def __init__(self, public_pem):
        from cryptography.hazmat.primitives import serialization

        self.key = serialization.load_pem_public_key(public_pem.encode())
        self.lock = threading.Lock()
        self.counts = Counter()
        self.bad = 0

    def received(self, port, path, headers, body):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        params = dict(
            part.split("=", 1) for part in headers["Signature"].replace('"', "").split(",")
        )
        lines = [
            f"(request-target): post {path}"
            if name == "(request-target)"
            else f"{name}: {headers[name]}"
            for name in params["headers"].split()
        ]
        digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        try:
            assert headers["Digest"] == digest
            self.key.verify(
                base64.b64decode(params["signature"]),
                "\n".join(lines).encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
            good = True
        except Exception:  # noqa: BLE001 — any failure is a bad signature, counted
            good = False
        activity = json.loads(body)["id"]
        with self.lock:
            self.counts[f"{port}{path} {activity}"] += 1
            self.bad += not good


def run_sink(servers, key_file, port_file, report_file):
    state = SinkState(Path(key_file).read_text())
    httpds = []
    for _ in range(servers):
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Inbox)
        httpd.daemon_threads = True
        httpd.sink = state
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        httpds.append(httpd)
    Path(port_file).write_text(json.dumps([h.server_address[1] for h in httpds]))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    report = {"deliveries": dict(state.counts), "bad_signatures": state.bad}
    Path(report_file).write_text(json.dumps(report))


class Sink:
    def __init__(self, servers, public_pem):
        self.dir = Path(tempfile.mkdtemp(prefix="newsroom-fedi-sink-"))
        key_file, port_file = self.dir / "key.pem", self.dir / "ports.json"
        self.report_file = self.dir / "report.json"
        key_file.write_text(public_pem)
        self.process = subprocess.Popen(
            [
                support.PYTHON,
                "-m",
                "bench.federation_bench",
                "--sink",
                str(servers),
                str(key_file),
                str(port_file),
                str(self.report_file),
            ],
            cwd=support.ROOT,
        )
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("the sink did not start")
            time.sleep(0.05)
        self.ports = json.loads(port_file.read_text())

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        return json.loads(self.report_file.read_text())


# --- The newsroom side ---


def prepare_database():
    support.prepare_database(DATABASE_URL, FEDERATION_OPTIONS='{"ALLOW_LOOPBACK": true}')


def story():
    from articles.models import Article
    from bench.mail_bench import ensure_articles

    ensure_articles()
    return Article.objects.published().filter(slug__startswith="bench-").first()


def store_followers(ports, followers, *, shared):
    """`followers` accounts spread evenly over the servers at `ports`."""
    from django.utils import timezone

    from federation.models import Activity, Follower, RemoteActor, Server

    Activity.objects.all().delete()
    Server.objects.all().delete()  # and their accounts, followers and deliveries
    servers = Server.objects.bulk_create([Server(domain=f"127.0.0.1:{port}") for port in ports])
    actors = []
    for n in range(followers):
        server = servers[n % len(servers)]
        base = f"http://{server.domain}"
        actors.append(
            RemoteActor(
                url=f"{base}/users/u{n}",
                server=server,
                key_id=f"{base}/users/u{n}#main-key",
                public_key_pem="-",
                inbox=f"{base}/users/u{n}/inbox",
                shared_inbox=f"{base}/inbox" if shared else "",
                fetched_at=timezone.now(),
            )
        )
    actors = RemoteActor.objects.bulk_create(actors)
    Follower.objects.bulk_create(
        [Follower(actor=actor, follow_id=f"{actor.url}/follow") for actor in actors]
    )


def run(article, *, servers, followers, shared, concurrency):
    from django.conf import settings

    from articles.models import Article
    from articles.signals import article_changed
    from federation.delivery import drain
    from federation.keys import current_key
    from federation.models import Delivery

    settings.FEDERATION_OPTIONS = {**settings.FEDERATION_OPTIONS, "CONCURRENCY": concurrency}
    sink = Sink(servers, current_key().public_pem)
    try:
        store_followers(sink.ports, followers, shared=shared)
        started = time.perf_counter()
        article_changed.send(sender=Article, article_id=article.pk, change="published")
        recorded = time.perf_counter() - started
        report = drain()
        seconds = time.perf_counter() - started
    finally:
        received = sink.stop()
    expected = servers if shared else followers
    counts = Counter(received["deliveries"].values())
    states = Counter(Delivery.objects.values_list("status", flat=True))
    return {
        "shared": shared,
        "concurrency": concurrency,
        "posts": expected,
        "seconds": seconds,
        "record_ms": recorded * 1000,
        "received": sum(received["deliveries"].values()),
        "duplicates": sum(n - 1 for n in received["deliveries"].values() if n > 1),
        "bad_signatures": received["bad_signatures"],
        "sent": report.sent,
        "states": dict(states),
        "once": counts == Counter({1: expected}),
    }


def write_results(results, command, servers, followers, load):
    info = support.machine()
    lines = [
        "## Federation",
        "",
        f"`{command}` — one Create to {followers:,} followers on {servers} fake servers",
        "(one sink process on loopback answering 202 and checking every Digest and signature",
        "with the newsroom's published key). Timed from the write path's announcement to the",
        "last delivery settled, by one worker (`drain()`, what `db_worker` and",
        "`federation_worker` run); threads = servers posted to at once.",
        "",
        "| inboxes | threads | POSTs | seconds | POSTs/s | received once | bad signatures "
        "| announce ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {'shared' if r['shared'] else 'personal'} | {r['concurrency']} | {r['posts']} | "
            f"{r['seconds']:.2f} | {r['posts'] / r['seconds']:.0f} | "
            f"{'yes' if r['once'] else 'NO'} | {r['bad_signatures']} | {r['record_ms']:.1f} |"
        )
    lines += [
        "",
        f"Load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after (the machine was "
        "shared with other work; signing, one RSA-2048 signature per POST, is most of the cost).",
        "",
        f"Machine: {info['machine']}; Python {info['python']}, Django {info['django']},",
        f"{info['postgres']}. Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
    ]
    support.write_section("federation", "\n".join(lines))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sink", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--servers", type=int, default=100)
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--concurrency", default="1,4,16")
    args = parser.parse_args()
    if args.sink:
        servers, key_file, port_file, report_file = args.sink
        return run_sink(int(servers), key_file, port_file, report_file)
    load = os.getloadavg()
    prepare_database()
    article = story()
    results = []
    for shared in (True, False):
        for concurrency in (int(c) for c in args.concurrency.split(",")):
            result = run(
                article,
                servers=args.servers,
                followers=args.followers,
                shared=shared,
                concurrency=concurrency,
            )
            print(json.dumps(result), flush=True)
            results.append(result)
    command = "make bench-federation"
    write_results(results, command, args.servers, args.followers, load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
