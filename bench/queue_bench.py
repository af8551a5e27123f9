"""Queueing benchmark: one edition's outbox for 100,000 and 1,000,000 confirmed subscribers
(Delivery rows only, nothing sent; never part of the tests).

    .venv/bin/python -m bench.queue_bench [--counts 100000,1000000] [--repeat 2]

Uses its own PostgreSQL database (QUEUE_BENCH_DATABASE_URL, default newsroom_bench_queue), so
a million subscribers never slow the mail benchmark's runs. For each count it inserts that many
confirmed subscribers in one statement, then, for each repeat, builds a fresh edition and times
`newsletter.editions.send_edition(workers=0)` (the site's INSERT … SELECT, in its transaction)
in a process of its own, whose peak memory (VmHWM) is the queueing's alone. Writes the
"Queueing" section of bench/RESULTS.md.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import support

DATABASE_URL = os.environ.get(
    "QUEUE_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench_queue"
)
DEFAULT_COUNTS = "100000,1000000"


def peak_rss_kb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def queue_in_this_process(edition_id):
    """The child: Django set up, then only the queueing timed."""
    os.environ.update(support.production_env(DATABASE_URL=DATABASE_URL, TASKS_BACKEND="immediate"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from newsletter.editions import send_edition

    before = peak_rss_kb()
    started = time.perf_counter()
    queued = send_edition(edition_id=edition_id, workers=0)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "queued": queued,
                "seconds": seconds,
                "rss_before_kb": before,
                "peak_rss_kb": peak_rss_kb(),
            }
        )
    )


def fresh_edition():
    from django.db import connection

    from newsletter.editions import build_edition

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE newsletter_delivery, newsletter_editionarticle, newsletter_edition CASCADE"
        )
        cursor.execute("CHECKPOINT")  # the previous run's writes are not flushed on our clock
    return build_edition().edition.pk


def outbox_size():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('newsletter_delivery')")
        return cursor.fetchone()[0]


def run(count, repeat):
    from bench.mail_bench import ensure_subscribers

    ensure_subscribers(count)
    results = []
    for _ in range(repeat):
        edition_id = fresh_edition()
        load = os.getloadavg()[0]
        out = subprocess.run(
            [support.PYTHON, "-m", "bench.queue_bench", "--queue", str(edition_id)],
            cwd=support.ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        assert result["queued"] == count, result
        result.update(count=count, load=load, outbox_bytes=outbox_size())
        print(
            f"{count:>9,} queued in {result['seconds']:6.1f} s "
            f"({count / result['seconds']:,.0f} rows/s), "
            f"peak RSS {result['peak_rss_kb'] / 1024:.0f} MB "
            f"(before {result['rss_before_kb'] / 1024:.0f} MB), outbox "
            f"{result['outbox_bytes'] / 2**20:.0f} MB on disk, load {load:.1f}",
            flush=True,
        )
        results.append(result)
    return results


def report(results, command):
    from django.db import connection

    info = support.machine()
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        synchronous_commit = cursor.fetchone()[0]
    lines = [
        "## Queueing",
        "",
        f"`{command}` — one edition's outbox for N confirmed subscribers: "
        "`send_edition(workers=0)`, i.e. the site's one INSERT … SELECT of a Delivery row per "
        "confirmed subscriber, in its transaction (nothing is sent). Each run in a fresh process; "
        "its peak memory is VmHWM (Django set up, then the queueing).",
        "",
        "| subscribers | seconds | rows/s | peak RSS (MB) | RSS before queueing (MB) | outbox on "
        "disk (MB) | load before |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['count']:,} | {r['seconds']:.1f} | {r['count'] / r['seconds']:,.0f} | "
            f"{r['peak_rss_kb'] / 1024:.0f} | {r['rss_before_kb'] / 1024:.0f} | "
            f"{r['outbox_bytes'] / 2**20:.0f} | {r['load']:.1f} |"
        )
    lines += [
        "",
        "The rows are made by PostgreSQL from the subscriber table; the Python process only "
        "sends the statement, so its memory does not grow with the count. The time is the "
        "database's: writing the rows, the unique (edition, subscriber) index and the partial "
        f"index of pending rows, and the commit (synchronous_commit={synchronous_commit}). "
        "Shared machine: two cores, other sessions' tests and benchmarks running at the same "
        'time ("load before" is the one-minute load average when each run started).',
        "",
        f"Machine: {info['machine']}; Python {info['python']}, Django {info['django']}, "
        f"{info['postgres']}. Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
    ]
    support.write_section("queue", "\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--counts", default=DEFAULT_COUNTS, help="subscriber counts, comma-separated"
    )
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--queue", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.queue:
        return queue_in_this_process(args.queue)
    support.prepare_database(DATABASE_URL)
    from bench.mail_bench import ensure_articles

    ensure_articles()
    results = []
    for count in (int(n) for n in args.counts.split(",")):
        results.extend(run(count, args.repeat))
    command = (
        "make bench-mail"
        if args.counts == DEFAULT_COUNTS
        else (f"python -m bench.queue_bench --counts {args.counts} --repeat {args.repeat}")
    )
    report(results, command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
