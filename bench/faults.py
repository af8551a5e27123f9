"""Faults survived without loss: `make faults` (stops and restarts a local PostgreSQL cluster).

By default the cluster is `main`, the one in DATABASE_URL's usual place: run it on a machine of
your own, or point it at a cluster kept for it:

    pg_createcluster 15 faults -p 5439 -- --auth=trust
    FAULTS_CLUSTER=faults FAULTS_DATABASE_URL=postgres://postgres@127.0.0.1:5439/newsroom_faults \
        make faults

Runs gunicorn with production settings on PostgreSQL (database newsroom_faults) and, for each
scenario, drives real requests from 127.0.0.1, breaks something, and checks the outcome:

1. PostgreSQL restarted under 50-connection load: no 5xx from 2 s after it accepts again.
2. PostgreSQL down for 30 s: branded 503 + Retry-After within 3 s, /healthz 200, /readyz 503,
   a signup meanwhile gets "try again" and leaves nothing; recovery within 5 s.
3. SMTP down when a confirmation is due: the signup succeeds, the email arrives once it is back.
4. gunicorn graceful reload (HUP) under load: zero failed requests.
5. Signup rate limit under `gunicorn -w 3`: exactly 5 of 12 concurrent signups accepted.

Prints each scenario's requests, errors and outcome and writes them to bench/RESULTS.md.
"""

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import psycopg

from bench import support

DATABASE_URL = os.environ.get(
    "FAULTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_faults"
)
PORT = 8631
# The Debian cluster the scenarios stop and restart: `main` by default, or a cluster of its own
# (e.g. FAULTS_CLUSTER=faults with FAULTS_DATABASE_URL on its port) so nothing else is disturbed.
VERSION = sorted(os.listdir("/etc/postgresql"))[0] if Path("/etc/postgresql").is_dir() else None
CLUSTER = os.environ.get("FAULTS_CLUSTER", "main")


def env(**extra):
    return support.production_env(DATABASE_URL=DATABASE_URL, **extra)


def pg(action):
    if VERSION is None:
        raise SystemExit("make faults needs a local Debian PostgreSQL cluster (pg_ctlcluster).")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", VERSION, CLUSTER, action],
        check=True,
        capture_output=True,
    )


def pg_accepts():
    try:
        psycopg.connect(DATABASE_URL, connect_timeout=1).close()
        return True
    except psycopg.OperationalError:
        return False


def sql(statement, *params):
    with psycopg.connect(DATABASE_URL, autocommit=True) as db:
        cursor = db.execute(statement, params)
        return cursor.fetchall() if statement.startswith("SELECT") else None


def request(method, path, body=None, headers=None, timeout=10):
    """One request on a fresh connection: (status, headers, body, seconds) or an exception."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return (
            response.status,
            dict(response.getheaders()),
            response.read(),
            (time.monotonic() - started),
        )
    finally:
        connection.close()


class Load:
    """`connections` threads requesting `paths` in turn; every outcome is kept with its time."""

    def __init__(self, paths, connections=50):
        self.paths, self.connections = paths, connections
        self.outcomes = []  # (finished_at, status or exception name)
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def worker(self, n):
        i = n
        while not self.stop.is_set():
            path = self.paths[i % len(self.paths)]
            i += 1
            try:
                status = request("GET", path, timeout=15)[0]
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                time.sleep(0.05)
            with self.lock:
                self.outcomes.append((time.monotonic(), status))

    @contextmanager
    def running(self):
        threads = [
            threading.Thread(target=self.worker, args=(n,), daemon=True)
            for n in range(self.connections)
        ]
        for thread in threads:
            thread.start()
        try:
            yield self
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(timeout=20)

    def failures(self, since=0.0):
        return [
            (t, s) for t, s in self.outcomes if t >= since and not (isinstance(s, int) and s < 500)
        ]


@contextmanager
def gunicorn(workers=2, **extra):
    with support.gunicorn(
        PORT, **{"DATABASE_URL": DATABASE_URL, "WEB_CONCURRENCY": workers, **extra}
    ) as process:
        yield process


def article_path():
    return sql(
        "SELECT slug FROM articles_article WHERE status='published' AND published_at <= now() "
        "ORDER BY published_at DESC LIMIT 1"
    )[0][0]


def signup(address):
    body = urlencode({"email": address, "source": "/", "website": ""})
    return request(
        "POST",
        "/newsletter/subscribe/",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def scenario_restart(paths):
    with gunicorn(workers=4, PAGE_CACHE_SECONDS=0) as process:
        with Load(paths).running() as load:
            time.sleep(5)
            pg("restart")
            back = time.monotonic()
            while not pg_accepts():
                time.sleep(0.1)
            back = time.monotonic()
            time.sleep(10)
        late = load.failures(since=back + 2)
        stuck = load.failures(since=time.monotonic() - 3)
        stderr = _stop_and_read(process)
    return {
        "requests": len(load.outcomes),
        "errors": len(load.failures()),
        "ok": not late and not stuck and b"WORKER TIMEOUT" not in stderr,
        "outcome": f"{len(late)} failures from 2 s after PostgreSQL came back; "
        f"worker timeouts: {stderr.count(b'WORKER TIMEOUT')}",
    }


def scenario_outage(paths):
    address = f"outage-{int(time.time())}@example.org"
    with gunicorn(workers=2, PAGE_CACHE_SECONDS=0):
        pg("stop")
        checks, slow, wrong = 0, [], []
        try:
            deadline = time.monotonic() + 30
            signup_answer = None
            while time.monotonic() < deadline:
                for path in paths:
                    status, headers, body, seconds = request("GET", path)
                    checks += 1
                    if seconds >= 3:
                        slow.append((path, round(seconds, 2)))
                    if status != 503 or headers.get("Retry-After") != "30":
                        wrong.append((path, status))
                probes = (request("GET", "/healthz")[0], request("GET", "/readyz")[0])
                if probes != (200, 503):
                    wrong.append(("probes", probes))
                if signup_answer is None:
                    signup_answer = signup(address)
                time.sleep(0.5)
        finally:
            pg("start")
        back = time.monotonic()
        while not pg_accepts():
            time.sleep(0.1)
        back = time.monotonic()
        recovered = None
        while time.monotonic() - back < 15:
            if all(request("GET", p)[0] == 200 for p in paths):
                recovered = time.monotonic() - back
                break
            time.sleep(0.1)
    left_behind = sql("SELECT count(*) FROM newsletter_subscriber WHERE email = %s", address)[0][0]
    tried_again = signup_answer[0] == 503 and b"try again" in signup_answer[2].lower()
    ok = not slow and not wrong and recovered is not None and recovered <= 5
    ok = ok and tried_again and left_behind == 0
    return {
        "requests": checks,
        "errors": len(wrong),
        "ok": ok,
        "outcome": f"503s within 3 s: {not slow}; probes 200/503: "
        f"{not any(w[0] == 'probes' for w in wrong)}; signup got 'try again': {tried_again}, "
        f"rows left: {left_behind}; recovered in {recovered and round(recovered, 2)} s",
    }


def scenario_smtp_down():
    from aiosmtpd.controller import Controller

    sink_port = 8632
    received = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope.rcpt_tos)
            return "250 OK"

    address = f"smtp-outage-{int(time.time())}@example.org"
    sql("DELETE FROM newsletter_ratelimit")
    queue = env(
        TASKS_BACKEND="database",
        EMAIL_URL=f"smtp://127.0.0.1:{sink_port}",
        NEWSLETTER_RETRY_DELAY="2",
    )
    worker = subprocess.Popen(
        [support.PYTHON, "manage.py", "db_worker", "--interval", "0.5", "--no-startup-delay"],
        cwd=support.ROOT,
        env=queue,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        with gunicorn(
            workers=2,
            TASKS_BACKEND="database",
            EMAIL_URL=f"smtp://127.0.0.1:{sink_port}",
        ):
            answer = signup(address)
        time.sleep(3)  # the first attempt meets a closed port
        sink = Controller(Sink(), hostname="127.0.0.1", port=sink_port)
        sink.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(address in r for r in received):
            time.sleep(0.2)
        sink.stop()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    arrived = sum(address in r for r in received)
    return {
        "requests": 1,
        "errors": 0 if answer[0] == 303 else 1,
        "ok": answer[0] == 303 and arrived == 1,
        "outcome": f"signup answered {answer[0]}; confirmation arrived after the outage: "
        f"{arrived} time(s)",
    }


def scenario_reload(paths):
    with gunicorn(workers=2, PAGE_CACHE_SECONDS=300) as process, Load(paths).running() as load:
        for _ in range(2):
            time.sleep(5)
            process.send_signal(signal.SIGHUP)
        time.sleep(5)
    return {
        "requests": len(load.outcomes),
        "errors": len(load.failures()),
        "ok": not load.failures(),
        "outcome": "two graceful reloads under 50 connections",
    }


def scenario_rate_limit():
    sql("DELETE FROM newsletter_ratelimit")
    stamp = int(time.time())
    answers = []
    with gunicorn(workers=3):
        threads = [
            threading.Thread(
                target=lambda n=n: answers.append(signup(f"rl{stamp}-{n}@example.org"))
            )
            for n in range(12)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    statuses = sorted(a[0] for a in answers)
    accepted, refused = statuses.count(303), statuses.count(429)
    return {
        "requests": len(answers),
        "errors": len(answers) - accepted - refused,
        "ok": accepted == 5 and refused == 7,
        "outcome": f"{accepted} accepted, {refused} refused with 429 across 3 workers",
    }


def _stop_and_read(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return b"gunicorn did not stop"
    return process.log_path.read_bytes()


def main():
    os.chdir(support.ROOT)
    print("preparing newsroom_faults", flush=True)
    subprocess.run(
        [support.PYTHON, "-m", "newsroom.preflight", "postgres"],
        env=env(),
        check=True,
        cwd=support.ROOT,
    )
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["seed_demo"],
        ["collectstatic", "-v0", "--noinput"],
    ):
        subprocess.run(
            [support.PYTHON, "manage.py", *command],
            env=env(),
            check=True,
            cwd=support.ROOT,
            stdout=subprocess.DEVNULL,
        )
    paths = ["/", f"/news/{article_path()}/"]
    scenarios = [
        ("signup rate limit, gunicorn -w 3", scenario_rate_limit),
        ("PostgreSQL restarted under load", lambda: scenario_restart(paths)),
        ("PostgreSQL down for 30 s", lambda: scenario_outage(paths)),
        ("SMTP down at signup", scenario_smtp_down),
        ("gunicorn HUP under load", lambda: scenario_reload(paths)),
    ]
    rows = []
    for name, run in scenarios:
        print(f"- {name} ...", flush=True)
        try:
            result = run()
        finally:
            if not pg_accepts():
                pg("start")
        rows.append((name, result))
        print(
            f"  {'PASS' if result['ok'] else 'FAIL'}: {result['requests']} requests, "
            f"{result['errors']} errors; {result['outcome']}",
            flush=True,
        )
    lines = [
        "## Faults (`make faults`)",
        "",
        f"Command: `FAULTS_CLUSTER={CLUSTER} make faults` "
        f"(database {DATABASE_URL.rsplit('/', 1)[-1]} on the cluster it stops), "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
        "gunicorn with production settings on PostgreSQL, load from Python threads on 127.0.0.1.",
        "",
        "| scenario | requests | errors | outcome | result |",
        "|---|---:|---:|---|---|",
    ]
    lines += [
        f"| {name} | {r['requests']} | {r['errors']} | {r['outcome']} | "
        f"{'PASS' if r['ok'] else 'FAIL'} |"
        for name, r in rows
    ]
    support.write_section("faults", "\n".join(lines))
    return 0 if all(r["ok"] for _, r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
