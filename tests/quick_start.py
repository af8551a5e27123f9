"""The project as a newcomer runs it: a copy of it with `make run`'s embedded SQLite database,
commands typed in a shell with none of our settings in the environment (`make run` adds only
DEBUG=true), and `manage.py runserver` serving it on 127.0.0.1."""

import os
import shutil
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.processes import free_port

PROJECT = Path(__file__).resolve().parents[1]
# What a checkout does not hold (or a newcomer's copy does not have yet).
LEFT_BEHIND = {".git", ".venv", ".env", "var", "test-artifacts", "docs", "bench/out"}


def newcomer_env(**extra):
    """A shell's environment with nothing of the project's in it, plus `extra`."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return {**env, **extra}


def make_run_env(**extra):
    """What `make run` runs its commands with."""
    return newcomer_env(DEBUG="true", **extra)


def _left_behind(folder, names):
    here = Path(folder).relative_to(PROJECT)
    return [
        name
        for name in names
        if name == "__pycache__"
        or name.endswith(".egg-info")
        or (here / name).as_posix() in LEFT_BEHIND
    ]


def copy_project(destination, *, database=None):
    """A copy of the project at `destination` sharing this checkout's .venv; `database`, when
    given, becomes its var/newsroom.sqlite3. Files keep their times, so make sees the shared
    .venv as installed for this pyproject.toml."""
    shutil.copytree(PROJECT, destination, ignore=_left_behind)
    (destination / ".venv").symlink_to(PROJECT / ".venv")
    (destination / "var").mkdir()
    if database is not None:
        shutil.copy2(database, destination / "var" / "newsroom.sqlite3")
    return destination


def manage(project, *args, env=None, timeout=120, **kwargs):
    """`.venv/bin/python manage.py …` in `project`, as `make run` runs it unless `env` says."""
    return subprocess.run(
        [str(project / ".venv" / "bin" / "python"), "manage.py", *args],
        cwd=project,
        env=make_run_env() if env is None else env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )


@contextmanager
def running_server(project):
    """`manage.py runserver` in `project` with `make run`'s settings (its address as SITE_URL,
    since the port is not 8000); yields (address, path of the file holding its terminal)."""
    url = f"http://127.0.0.1:{free_port()}"
    terminal = project / "var" / "terminal.txt"
    with terminal.open("w") as output:
        server = subprocess.Popen(
            [str(project / ".venv" / "bin" / "python"), "manage.py", "runserver", "--noreload"]
            + [url.removeprefix("http://")],
            cwd=project,
            env=make_run_env(SITE_URL=url, PYTHONUNBUFFERED="1"),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(url, server, terminal)
        yield url, terminal
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_up(url, server, terminal, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, f"runserver stopped:\n{terminal.read_text()}"
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310 (our own)
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"runserver did not answer in {seconds} s:\n{terminal.read_text()}")
