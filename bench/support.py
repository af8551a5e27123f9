"""What the benchmark scripts share: the environment, gunicorn and nginx processes, wrk runs."""

import gzip
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench"
)


def production_env(**extra):
    """Production settings (DEBUG off), plain HTTP on loopback, no request log."""
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-" + "k" * 60,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=BENCH_DATABASE_URL,
        SITE_URL="http://127.0.0.1",
        EMAIL_URL="smtp://127.0.0.1:2525",
        LOG_LEVEL="WARNING",
        GUNICORN_ACCESS_LOG="",
        WEB_CONCURRENCY="2",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def prepare_database(database_url, **extra):
    """Create `database_url`'s database if missing, migrate it, and set this process up to use
    it with production settings (tasks inline) plus `extra`."""
    create_database(database_url)
    manage("migrate", "--noinput", "-v0", DATABASE_URL=database_url, **extra)
    os.environ.update(production_env(DATABASE_URL=database_url, TASKS_BACKEND="immediate", **extra))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()


def create_database(database_url):
    """Create `database_url`'s database if it does not exist yet."""
    import psycopg
    from psycopg import sql

    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(*args, **extra):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=production_env(**extra), check=True)


def require(*commands):
    """Install Debian packages for missing commands (the benchmark machine is ours)."""
    missing = [c for c in commands if shutil.which(c) is None]
    if not missing:
        return
    packages = {"wrk": "wrk", "nginx": "nginx"}
    print(f"installing {', '.join(missing)} with apt-get", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", *(packages[c] for c in missing)], check=True, env=env
    )


def wait_for(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, dict(response.headers), response.read()


@contextmanager
def gunicorn(port, *, app="newsroom.wsgi:application", root=ROOT, **extra):
    """Run gunicorn with gunicorn.conf.py and production settings on 127.0.0.1:port, serving
    the code at `root` (this tree unless told)."""
    env = production_env(PORT=port, HOST="127.0.0.1", **extra)
    # A file, not a pipe: a full pipe would block workers that log under load.
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (lives as long as the server)
        prefix="newsroom-gunicorn-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", app],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    process.log_path = Path(log.name)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        yield process
    finally:
        stop(process)
        log.close()


def stop(process):
    """End a server we started: SIGTERM, then SIGKILL after 30 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def nginx(config_text):
    """Run nginx in the foreground with a config of ours, in a scratch directory."""
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-nginx-"))
    workdir.chmod(0o755)
    config_text = config_text.replace("@WORKDIR@", str(workdir))
    config = workdir / "nginx.conf"
    config.write_text(config_text)
    process = subprocess.Popen(
        ["nginx", "-p", str(workdir), "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # Until every port it listens on answers: on a busy machine nginx may take more than a
        # moment, and a benchmark that starts before it reads "connection refused".
        ports = [int(port) for port in re.findall(r"listen 127\.0\.0\.1:(\d+)", config_text)]
        deadline = time.monotonic() + 15
        while not all(_answers(port) for port in ports):
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode())
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx is not listening on {ports} after 15 s")
            time.sleep(0.1)
        yield workdir
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def shipped_front(upstream_port, listen_port):
    """deploy/nginx.conf as shipped, listening on `listen_port`, pointed at our gunicorn on
    `upstream_port` and a scratch directory (the tests of the shipped front run it too)."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    replacements = {
        "worker_processes auto;": "worker_processes 2;\npid @WORKDIR@/nginx.pid;\n"
        "error_log @WORKDIR@/error.log warn;" + ("\nuser root;" if os.geteuid() == 0 else ""),
        "listen 80;": f"listen 127.0.0.1:{listen_port};",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream_port};",
        "/srv/newsroom/var/static/": f"{ROOT / 'var' / 'static'}/",
        "/var/cache/nginx/newsroom": "@WORKDIR@/cache",
        "    sendfile      on;": "    sendfile      on;\n    access_log off;",
    }
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx.conf no longer contains {old!r}"
        text = text.replace(old, new)
    return text


def _answers(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def wrk(url, *, connections, seconds, headers=()):
    """One wrk run; returns requests/s, latency percentiles (ms) and error counts."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s"]
    for header in headers:
        command += ["-H", header]
    command += ["-s", str(ROOT / "bench" / "wrk_report.lua"), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRKJSON "))
    raw = json.loads(line.removeprefix("WRKJSON "))
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50": raw["p50_us"] / 1000,
        "p99": raw["p99_us"] / 1000,
        "errors": errors,
        "requests": raw["requests"],
    }


def sizes(body):
    return len(body), len(gzip.compress(body, compresslevel=6))


def machine():
    import django

    def version(command):
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=10)
        except OSError:
            return "missing"
        return (out.stdout or out.stderr).strip().splitlines()[0]

    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgres": version(["psql", "--version"]),
        "nginx": version(["nginx", "-v"]),
        "wrk": version(["wrk", "--version"]),
    }


def write_section(name, text):
    """Replace (or add) one named section of bench/RESULTS.md, leaving the others alone."""
    results = ROOT / "bench" / "RESULTS.md"
    current = results.read_text() if results.exists() else "# Benchmark results\n"
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{text.rstrip()}\n{end}"
    if start in current and end in current:
        before, rest = current.split(start, 1)
        after = rest.split(end, 1)[1]
        current = before + block + after
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    results.write_text(current)
