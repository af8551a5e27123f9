"""Delivery workers as real processes against the test database and a real SMTP server:
django-tasks-db's `manage.py db_worker` running the digest tasks on Django 6.1, several
workers sharing one outbox, and a worker killed with SIGKILL mid-send, then restarted."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from newsletter import editions
from newsletter.models import Delivery, Edition
from tests.conftest import _Handler, serving_smtp
from tests.factories import audience, make_article

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent


def process_env(smtp_port, **extra):
    """The test's own settings for a child process, pointed at the test database."""
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{url.rsplit('/', 1)[0]}/{connection.settings_dict['NAME']}",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        LOG_LEVEL="WARNING",
    )
    env.update({name: str(value) for name, value in extra.items()})
    return env


def manage(*args, env):
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process, timeout=60):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return out


def received(inbox):
    return Counter(address for envelope in inbox.envelopes for address in envelope)


@pytest.fixture
def edition_for(settings):
    def build(confirmed):
        make_article("The day's lead story")
        readers, _ = audience(confirmed=confirmed, pending=3, unsubscribed=3)
        edition = editions.build_edition().edition
        return edition, readers

    return build


def test_db_worker_sends_the_digest_through_django_tasks_db(edition_for, smtp_server, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    edition, readers = edition_for(confirmed=12)
    editions.send_edition(edition_id=edition.pk, workers=2)  # committed: tasks wait in the table
    tasks = DBTaskResult.objects.filter(task_path="newsletter.tasks.deliver_edition")
    assert tasks.count() == 2 and set(tasks.values_list("status", flat=True)) == {"READY"}
    assert not smtp_server.messages

    env = process_env(smtp_server.port, TASKS_BACKEND="database")
    finish(manage("db_worker", "--batch", "--no-startup-delay", "--no-reload", env=env))

    assert received(smtp_server) == Counter({r.email: 1 for r in readers})
    assert set(tasks.values_list("status", flat=True)) == {"SUCCESSFUL"}
    results = [t.return_value for t in tasks]
    assert sorted(r["sent"] for r in results) == [0, 12] and any(r["finished"] for r in results)
    edition.refresh_from_db()
    assert (edition.status, edition.sent_count) == (Edition.Status.SENT, 12)


def test_several_worker_processes_share_one_outbox(edition_for, smtp_server):
    edition, readers = edition_for(confirmed=90)
    editions.send_edition(edition_id=edition.pk, workers=0)
    env = process_env(smtp_server.port, NEWSLETTER_BATCH_SIZE=10, NEWSLETTER_SEND_PAUSE=0.01)

    workers = [manage("newsletter_worker", env=env) for _ in range(3)]
    reports = [json.loads(finish(worker).splitlines()[-1]) for worker in workers]

    assert received(smtp_server) == Counter({r.email: 1 for r in readers})
    assert sum(r["sent"] for r in reports) == 90
    assert all(r["sent"] > 0 for r in reports), reports  # SKIP LOCKED spread the work
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 90
    assert Edition.objects.get().status == Edition.Status.SENT


class _SlowReply(_Handler):
    """Keeps each message, then takes a while to say so: a kill then most likely lands while
    a message is in flight (received here, not yet marked sent by the worker)."""

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(0.05)
        return reply


@pytest.fixture
def slow_smtp():
    with serving_smtp(_SlowReply) as inbox:
        yield inbox


def test_worker_killed_mid_send_then_restarted_loses_nothing(edition_for, slow_smtp):
    smtp_server = slow_smtp
    edition, readers = edition_for(confirmed=60)
    editions.send_edition(edition_id=edition.pk, workers=0)
    # Batches of ten and a claim that runs out soon after the survivor stops.
    env = process_env(
        smtp_server.port,
        NEWSLETTER_BATCH_SIZE=10,
        NEWSLETTER_CLAIM_LEASE=8,
        NEWSLETTER_WORKER_PATIENCE=0.2,
    )
    victim = manage("newsletter_worker", env=env)
    survivor = manage("newsletter_worker", env=env)
    deadline = time.monotonic() + 30
    while len(smtp_server.messages) < 15 and time.monotonic() < deadline:
        time.sleep(0.02)

    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    assert victim.returncode == -signal.SIGKILL
    held = Delivery.objects.filter(status=Delivery.Status.SENDING).count()
    survivor_report = json.loads(finish(survivor).splitlines()[-1])
    # The survivor drained the rest but could not take rows still under the dead one's claim.
    assert survivor_report["sent"] > 0 and not survivor_report["finished"]
    assert Delivery.objects.filter(status=Delivery.Status.SENDING).exists()

    claim_ends = Delivery.objects.filter(status=Delivery.Status.SENDING).aggregate(
        end=Max("lease_expires_at")
    )["end"]
    time.sleep(max((claim_ends - timezone.now()).total_seconds(), 0) + 0.1)
    restarted = json.loads(finish(manage("newsletter_worker", env=env)).splitlines()[-1])

    counts = received(smtp_server)
    repeats = sum(n - 1 for n in counts.values())
    print(f"rows held by the killed worker: {held}; emails repeated: {repeats}")
    assert set(counts) == {r.email for r in readers}  # every reader, nobody else
    assert repeats <= 1  # at most the one message in flight at the kill
    assert restarted["finished"] and restarted["sent"] >= 1
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 60
    assert Edition.objects.get().status == Edition.Status.SENT
