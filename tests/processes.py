"""Processes the tests start as production would: free loopback ports, gunicorn with
gunicorn.conf.py, and stopping them the way an orchestrator does."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(port, process, timeout=60):
    """Wait for `process` to accept connections on 127.0.0.1:`port` (raise if it died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode} before listening on {port}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {timeout}s")


def _wait_until_answering(port, process, timeout=60):
    """The master listens before its workers have loaded the app: wait for /healthz."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}")
    raise RuntimeError(f"/healthz on {port} did not answer within {timeout}s")


def stop(process, timeout=30):
    """SIGTERM, as an orchestrator stops gunicorn, and wait for it to exit."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def serving_gunicorn(**env):
    """gunicorn started as production starts it (gunicorn.conf.py, the test run's environment
    plus `env`) on a free port of 127.0.0.1. Yields the process with `url`; its log is in
    `process.log` once it has stopped."""
    port = free_port()
    settings = dict(os.environ, PORT=str(port), HOST="127.0.0.1", GUNICORN_ACCESS_LOG="")
    settings.update(env)
    with tempfile.TemporaryFile() as log:  # a file, not a pipe, which could fill and block
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=settings,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        process.url = f"http://127.0.0.1:{port}"
        try:
            wait_until_listening(port, process)
            _wait_until_answering(port, process)
            yield process
        finally:
            stop(process)
            log.seek(0)
            process.log = log.read()
