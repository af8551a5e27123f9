"""`make run` as a newcomer meets it: each log line printed once, and the printed hint for a
lost demo editor password working exactly as typed."""

import re
import subprocess
import sys

from tests.quick_start import PROJECT, make_run_env, manage, newcomer_env

LOGGERS = ("django.request", "django.server", "django.utils.autoreload", "newsletter.tasks")


def test_make_run_prints_each_log_line_once():
    # Django's defaults and ours both had a console handler on the `django` loggers' way.
    code = (
        "import logging, django; django.setup()\n"
        f"for name in {LOGGERS!r}: logging.getLogger(name).warning('marker from %s', name)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=make_run_env(DJANGO_SETTINGS_MODULE="newsroom.settings"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout + result.stderr
    for name in LOGGERS:
        assert printed.count(f"marker from {name}") == 1, printed
        stamped = rf"^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ WARNING {name}: marker from {name}$"
        assert re.search(stamped, printed, re.MULTILINE), printed


def test_the_printed_editor_password_command_works_as_typed(quick_start):
    first = manage(quick_start, "demo_editor")
    assert re.search(r"user 'editor', password '\S+'", first.stdout), first.stdout + first.stderr
    later = manage(quick_start, "demo_editor")
    hint = re.search(r"reset it with: (.+)\)$", later.stdout, re.MULTILINE)
    assert hint, later.stdout
    password = "orchard-ladder-41-quill"
    # Typed in a plain shell (none of our settings), with no terminal: the password is read
    # from standard input, as a person would type it twice.
    typed = subprocess.run(
        ["bash", "-c", hint[1]],
        cwd=quick_start,
        env=newcomer_env(),
        input=f"{password}\n{password}\n",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        start_new_session=True,
    )
    assert typed.returncode == 0, typed.stdout + typed.stderr
    assert "Password changed successfully for user 'editor'" in typed.stdout
    check = (
        "from django.contrib.auth.models import User; "
        f"print(User.objects.get(username='editor').check_password({password!r}))"
    )
    assert manage(quick_start, "shell", "--no-imports", "-c", check).stdout.strip() == "True"
