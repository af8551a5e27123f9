"""Workers: drain the outbox of `Delivery` rows.

Any number of workers run `drain()` at once (a django.tasks task, or `manage.py
federation_worker`). Each claims a batch of due rows with `SELECT … FOR UPDATE SKIP LOCKED`,
marks them `sending` under a lease, and posts them, signed, from a pool of threads: one thread
per server, so a server that hangs holds up only its own rows. Only the main thread touches
the database. A failed delivery is tried again after a growing delay; a server that keeps
failing is paused, and its other rows wait without using up their tries.
"""

import json
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Min, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from federation import documents, fetch
from federation.addressing import address_due, next_waiting
from federation.conf import option
from federation.keys import current_key
from federation.models import Delivery, Follower, Server, Switch
from federation.signatures import sign

Status = Delivery.Status
# Rows claimed at once; how long a claim holds before its worker is presumed dead; how long one
# drain runs before a fresh task takes over; when queued rows are given up (their server never
# came back).
BATCH_SIZE = 200
LEASE = 300
DRAIN_SECONDS = 120
GIVE_UP_AFTER = timedelta(days=3)
SENT, GONE, REFUSED, FAILED, RELEASED = "sent", "gone", "refused", "failed", "released"


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    paused: int = 0
    switched_off: bool = False
    more: bool = False  # stopped for time with rows still due
    next_due: object = None

    def as_dict(self):
        report = asdict(self)
        report["next_due"] = self.next_due.isoformat() if self.next_due else None
        return report


def claim(*, size, lease):
    """Take up to `size` due rows for this worker until the lease ends."""
    now = timezone.now()
    lease_until = now + timedelta(seconds=lease)
    with transaction.atomic():
        ids = list(
            Delivery.objects.due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:size]
        )
        Delivery.objects.filter(pk__in=ids).update(
            status=Status.SENDING, lease_expires_at=lease_until, attempts=F("attempts") + 1
        )
    rows = Delivery.objects.filter(pk__in=ids, lease_expires_at=lease_until)
    return list(rows.select_related("activity").order_by("pk")), lease_until


def post(row, body, key, deadline):
    """Send one row; returns (outcome, error text). Runs in a worker thread: no database."""
    if time.monotonic() > deadline:
        return RELEASED, ""
    headers = sign(
        method="POST", url=row.inbox, key_id=key["id"], private_pem=key["pem"], body=body
    )
    try:
        answer = fetch.request(
            "POST",
            row.inbox,
            headers=headers,
            body=body,
            timeout=option("DELIVERY_TIMEOUT"),
            limit=option("MAX_DOCUMENT_BYTES"),
        )
    except fetch.Unreachable as error:
        return FAILED, str(error)[:1000]
    if 200 <= answer.status < 300:
        return SENT, ""
    text = f"{row.inbox} answered {answer.status}"
    if answer.status == 410:
        return GONE, text
    if answer.status < 500 and answer.status not in (408, 429):
        return REFUSED, text  # it will not change its mind
    return FAILED, text


def post_server_rows(rows, bodies, key, deadline):
    """One server's rows, in order; after a failure the rest wait for a later try."""
    outcomes, failed = [], False
    for row in rows:
        if failed:
            outcomes.append((row, RELEASED, ""))
            continue
        outcome, text = post(row, bodies[row.activity_id], key, deadline)
        failed = outcome in (FAILED, RELEASED)
        outcomes.append((row, outcome, text))
    return outcomes


def _settle(rows, lease_until, **changes):
    ids = [row.pk for row in rows]
    return Delivery.objects.filter(
        pk__in=ids, status=Status.SENDING, lease_expires_at=lease_until
    ).update(lease_expires_at=None, **changes)


def _retry_at(now, attempts):
    return now + timedelta(seconds=option("RETRY_DELAY") * 2 ** (attempts - 1))


def settle(outcomes, lease_until, report):
    now = timezone.now()
    by_outcome = defaultdict(list)
    for row, outcome, text in outcomes:
        by_outcome[outcome].append((row, text))
    rows = {outcome: [row for row, _ in pairs] for outcome, pairs in by_outcome.items()}
    report.sent += _settle(rows.get(SENT, []), lease_until, status=Status.SENT, sent_at=now)
    for outcome in (GONE, REFUSED):
        for row, text in by_outcome.get(outcome, []):
            report.failed += _settle([row], lease_until, status=Status.FAILED, last_error=text)
    gone = [row.inbox for row in rows.get(GONE, [])]
    if gone:  # the account was deleted: it follows no one any more
        Follower.objects.filter(Q(actor__inbox__in=gone) | Q(actor__shared_inbox__in=gone)).delete()
    _settle(
        rows.get(RELEASED, []),
        lease_until,
        status=Status.QUEUED,
        attempts=F("attempts") - 1,  # not tried: the try is not used up
        next_attempt_at=now + timedelta(seconds=option("RETRY_DELAY")),
    )
    for row, text in by_outcome.get(FAILED, []):
        if row.attempts >= option("MAX_ATTEMPTS"):
            report.failed += _settle([row], lease_until, status=Status.FAILED, last_error=text)
        else:
            report.retried += _settle(
                [row],
                lease_until,
                status=Status.QUEUED,
                last_error=text,
                next_attempt_at=_retry_at(now, row.attempts),
            )
    _note_servers(by_outcome, now, report)


def _note_servers(by_outcome, now, report):
    answered = {row.server_id for o in (SENT, GONE, REFUSED) for row, _ in by_outcome.get(o, [])}
    Server.objects.filter(pk__in=answered).update(
        failures=0, paused_until=None, last_delivered_at=now
    )
    for row, text in by_outcome.get(FAILED, []):
        Server.objects.filter(pk=row.server_id).update(failures=F("failures") + 1, last_error=text)
    failing = Server.objects.filter(
        pk__in={row.server_id for row, _ in by_outcome.get(FAILED, [])},
        failures__gte=option("PAUSE_AFTER"),
    )
    for server in failing:
        # Paused for longer each time it fails again after a pause (up to 64 times as long).
        factor = 2 ** min(server.failures - option("PAUSE_AFTER"), 6)
        server.paused_until = now + timedelta(seconds=option("PAUSE_SECONDS") * factor)
        server.save(update_fields=["paused_until"])
        report.paused += 1


def send(rows, lease_until, key, report):
    lease = (lease_until - timezone.now()).total_seconds()
    deadline = time.monotonic() + lease / 2  # leave time to settle before the lease ends
    bodies = {}
    for row in rows:
        if row.activity_id not in bodies:
            bodies[row.activity_id] = json.dumps(row.activity.payload).encode()
    by_server = defaultdict(list)
    for row in rows:
        by_server[row.server_id].append(row)
    threads = min(option("CONCURRENCY"), len(by_server))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="federation") as pool:
        batches = pool.map(
            lambda server_rows: post_server_rows(server_rows, bodies, key, deadline),
            by_server.values(),
        )
        outcomes = [outcome for batch in batches for outcome in batch]
    settle(outcomes, lease_until, report)


def give_up_on_old_rows():
    """Rows still queued long after they were written (their server never came back)."""
    too_old = timezone.now() - GIVE_UP_AFTER
    Delivery.objects.filter(status=Status.QUEUED, created_at__lt=too_old).update(
        status=Status.FAILED, last_error="gave up: the server did not answer in time"
    )


def next_due():
    """When the next row or waiting activity is due, a paused server's rows at its resumption
    (None: nothing left)."""
    rows = Delivery.objects.filter(status__in=[Status.QUEUED, Status.SENDING]).aggregate(
        at=Min(
            Greatest(
                Coalesce("lease_expires_at", "next_attempt_at"),
                Coalesce("server__paused_until", "next_attempt_at"),
            )
        )
    )["at"]
    waiting = next_waiting()
    return min((at for at in (rows, waiting) if at is not None), default=None)


def drain(*, seconds=None, batch_size=None):
    """Address due activities and send due rows until none is left or `seconds` have passed."""
    report = Report()
    if not Switch.load().enabled:
        report.switched_off = True
        return report
    stop_at = time.monotonic() + (seconds or DRAIN_SECONDS)
    stored = current_key()
    key = {"id": documents.key_id(), "pem": stored.private_pem}
    give_up_on_old_rows()
    while True:
        address_due()
        rows, lease_until = claim(size=batch_size or BATCH_SIZE, lease=LEASE)
        if not rows:
            break
        send(rows, lease_until, key, report)
        if time.monotonic() > stop_at:
            report.more = True
            break
    report.next_due = next_due()
    return report
