"""Mail benchmark: the daily digest to 10,000 and 100,000 subscribers (never part of the tests).

    .venv/bin/python -m bench.mail_bench [--runs 10000x1,10000x2,10000x4,100000x1,100000x2,100000x4]

Uses its own PostgreSQL database (MAIL_BENCH_DATABASE_URL, default newsroom_bench_mail): four
articles in the house format and N confirmed subscribers, inserted in one statement. For each
run it builds a fresh edition, queues its deliveries (the same INSERT … SELECT the site uses),
then starts W `manage.py newsletter_worker` processes against an SMTP sink (aiosmtpd on
127.0.0.1, in its own process, counting messages per recipient) and times them until the outbox
is empty. Prints emails per second, each worker's peak memory (ru_maxrss), and the duplicate and
missing counts from the sink, then writes the "Mail" section of bench/RESULTS.md.
"""

import argparse
import asyncio
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path

from bench import support

DATABASE_URL = os.environ.get(
    "MAIL_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench_mail"
)
DEFAULT_RUNS = "10000x1,10000x2,10000x4,100000x1,100000x2,100000x4"
TARGET_SECONDS = 300  # 100,000 emails with 4 workers
ADDRESS = "reader{}@bench.example"


# --- The SMTP sink (its own process) ---


class CountingHandler:
    """Accepts everything and only counts: the sink must never be the bottleneck."""

    def __init__(self):
        self.messages = 0
        self.recipients = Counter()

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.recipients.update(envelope.rcpt_tos)
        return "250 OK"


END_OF_DATA = b"\r\n.\r\n"


def counting_smtp(handler):
    """aiosmtpd's SMTP server, reading each message body in large chunks instead of line by
    line (its per-line loop costs more than everything the workers do per email). The sink
    only counts recipients, so it does not undo dot-stuffing or keep the content."""
    from aiosmtpd.smtp import SMTP

    class CountingSMTP(SMTP):
        async def smtp_DATA(self, arg):
            if not self.envelope.rcpt_tos:
                await self.push("503 Error: need RCPT command")
                return
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            tail = b""
            while True:
                chunk = await self._reader.read(262144)
                if not chunk:
                    return
                tail = (tail + chunk)[-5:]
                if tail.endswith(END_OF_DATA) or tail == b".\r\n":
                    break
            status = await handler.handle_DATA(self, self.session, self.envelope)
            self._set_post_data_state()
            await self.push(status)

    return CountingSMTP(handler, hostname="sink.bench")


def run_sink(port_file, report_file):
    handler = CountingHandler()
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(lambda: counting_smtp(handler), "127.0.0.1", 0)
    )
    Path(port_file).write_text(str(server.sockets[0].getsockname()[1]))
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.run_forever()
    server.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report = {
        "messages": handler.messages,
        "recipients": dict(handler.recipients),
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }
    Path(report_file).write_text(json.dumps(report))


class Sink:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="newsroom-mail-sink-"))
        port_file, self.report_file = self.dir / "port", self.dir / "report.json"
        self.process = subprocess.Popen(
            [
                support.PYTHON,
                "-m",
                "bench.mail_bench",
                "--sink",
                str(port_file),
                str(self.report_file),
            ],
            cwd=support.ROOT,
        )
        deadline = time.monotonic() + 20
        while not port_file.exists() or not port_file.read_text():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("the SMTP sink did not start")
            time.sleep(0.05)
        self.port = int(port_file.read_text())

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        return json.loads(self.report_file.read_text())


# --- The database ---


def prepare_database():
    support.prepare_database(DATABASE_URL)


SECTIONS = [
    (
        "What happened",
        "The lab released a smaller model that matches last year's flagship on most "
        "[public benchmarks](https://example.org/benchmarks) at a tenth of the cost.",
        [
            "Weights are available under a research licence; commercial use needs a contract.",
            "Latency on a single GPU drops below **200 ms** for typical prompts.",
            "Training data is described in a 40-page report, with *no* user data included.",
        ],
    ),
    (
        "Why it matters",
        "Cheaper models move AI features from pilots into products that run all day.",
        [
            "Startups that rent GPUs by the hour see their main cost fall sharply.",
            "Incumbents lose one argument for their premium pricing.",
            "Regulators get a concrete case for the open-weights debate.",
        ],
    ),
    (
        "What's next",
        "A larger version is promised for the spring, with a safety review published first.",
        ["Independent evaluations are due within weeks.", "Pricing for the API is not set."],
    ),
]


def ensure_articles():
    from django.utils import timezone
    from django.utils.text import slugify

    from articles.models import Article, Author, Byline, Section

    if Article.objects.published().filter(slug__startswith="bench-").count() >= 4:
        return
    author, _ = Author.objects.get_or_create(slug="bench-desk", defaults={"name": "Bench Desk"})
    for n in range(4):
        headline = f"Bench story {n + 1}: a smaller model matches last year's flagship"
        article = Article.objects.create(
            headline=headline,
            slug=f"bench-{slugify(headline)}"[:200],
            dek="A one-sentence dek for the list.",
            summary_lead="The short version",
            summary="A new model does what the old one did, for much less money, and anyone "
            "with a single GPU can try it today.",
            take="🧪 Cheap and good enough beats perfect and pricey.",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(hours=n + 1),
        )
        Byline.objects.create(article=article, author=author, position=0)
        for position, (lead_in, text, bullets) in enumerate(SECTIONS):
            Section.objects.create(
                article=article,
                position=position,
                lead_in=lead_in,
                text=text,
                bullets="\n".join(bullets),
            )


def ensure_subscribers(count):
    from django.db import connection

    from newsletter.models import Subscriber

    if Subscriber.objects.filter(status="confirmed").count() == count:
        return
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE newsletter_delivery, newsletter_subscriber CASCADE")
        cursor.execute(
            "INSERT INTO newsletter_subscriber "
            "(email, status, created_at, status_changed_at, confirmed_at, suppressed_reason) "
            "SELECT 'reader' || g || '@bench.example', 'confirmed', now(), now(), now(), '' "
            "FROM generate_series(1, %s) AS g",
            [count],
        )
        cursor.execute("ANALYZE newsletter_subscriber")


def fresh_edition():
    """A new edition with every subscriber queued; returns (edition id, seconds to queue)."""
    from django.db import connection

    from newsletter.editions import build_edition, send_edition
    from newsletter.models import Edition

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE newsletter_delivery, newsletter_editionarticle, newsletter_edition CASCADE"
        )
    edition = build_edition().edition
    started = time.perf_counter()
    queued = send_edition(edition_id=edition.pk, workers=0)
    seconds = time.perf_counter() - started
    assert queued == Edition.objects.get(pk=edition.pk).recipient_count
    return edition.pk, queued, seconds


def delivery_states(edition_id):
    from newsletter.models import Delivery

    return Delivery.objects.filter(edition_id=edition_id).counts()


# --- One run ---


def run(count, workers):
    ensure_subscribers(count)
    edition_id, queued, queue_seconds = fresh_edition()
    sink = Sink()
    env = support.production_env(
        DATABASE_URL=DATABASE_URL,
        EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
        SITE_URL="https://newsroom.example",
    )
    command = [support.PYTHON, "manage.py", "newsletter_worker", "--edition", str(edition_id)]
    load = os.getloadavg()[0]
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            command + ["--patience", "2"],
            cwd=support.ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    reports = []
    for process in processes:
        out, _ = process.communicate(timeout=1800)
        if process.returncode:
            raise RuntimeError(f"a worker failed with exit status {process.returncode}")
        reports.extend(json.loads(line) for line in out.splitlines() if line.startswith("{"))
    seconds = time.perf_counter() - started
    received = sink.stop()
    expected = {ADDRESS.format(n) for n in range(1, count + 1)}
    counts = received["recipients"]
    states = delivery_states(edition_id)
    result = {
        "subscribers": count,
        "workers": workers,
        "load": load,
        "queued": queued,
        "queue_seconds": queue_seconds,
        "seconds": seconds,
        "rate": count / seconds,
        "sent_by_workers": sum(r["sent"] for r in reports),
        "peak_rss_mb": [round(r["peak_rss_kb"] / 1024, 1) for r in reports],
        "worker_cpu_ms": 1000 * sum(r["cpu_seconds"] for r in reports) / count,
        "sink_cpu_ms": 1000 * received["cpu_seconds"] / count,
        "messages": received["messages"],
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "missing": len(expected - counts.keys()),
        "unexpected": len(counts.keys() - expected),
        "db_sent": states["sent"],
        "db_pending": states["queued"] + states["sending"],
    }
    print(
        f"{count:>7,} subscribers, {workers} worker(s): {seconds:6.1f} s, "
        f"{result['rate']:6.0f} emails/s, peak RSS {result['peak_rss_mb']} MB, "
        f"duplicates {result['duplicates']}, missing {result['missing']}, CPU per email: "
        f"workers {result['worker_cpu_ms']:.2f} ms, sink {result['sink_cpu_ms']:.2f} ms "
        f"(queued in {queue_seconds:.2f} s)",
        flush=True,
    )
    return result


def report(results, command, runs_text):
    from django.db import connection

    from newsletter.digest import DigestComposer
    from newsletter.models import Edition

    info = support.machine()
    edition = Edition.objects.latest()
    composer = DigestComposer(edition)
    size = len(composer.prepared.pieces[0]) + sum(
        len(p) for p in composer.prepared.pieces[1:] if isinstance(p, bytes)
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        synchronous_commit = cursor.fetchone()[0]
    big = [r for r in results if r["subscribers"] >= 100_000 and r["workers"] == 4]
    verdict = ""
    if big:
        seconds = big[0]["seconds"]
        met = "met" if seconds < TARGET_SECONDS else "MISSED"
        verdict = (
            f"**100,000 emails with 4 workers: {seconds:.0f} s** "
            f"(target: under {TARGET_SECONDS} s — {met}).\n\n"
        )
    lines = [
        "## Mail",
        "",
        f"`{command}` — runs: {runs_text}. Each run: a fresh edition of four articles "
        f"(~{size / 1024:.0f} KB per email, HTML + text), every confirmed subscriber queued "
        "with one INSERT … SELECT, then W `manage.py newsletter_worker` processes "
        "(batches of 100 claimed with FOR UPDATE SKIP LOCKED, one SMTP connection each, every "
        "row settled in its own commit) sending to an aiosmtpd sink on 127.0.0.1 that counts "
        "messages per recipient. Time runs from starting the workers to the last one exiting.",
        "",
        verdict + "| subscribers | workers | seconds | emails/s | peak RSS per worker (MB) | "
        "duplicates | missing | CPU per email, workers / sink (ms) | queueing the outbox (s) | "
        "load before |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['subscribers']:,} | {r['workers']} | {r['seconds']:.1f} | {r['rate']:.0f} | "
            f"{', '.join(str(m) for m in r['peak_rss_mb'])} | {r['duplicates']} | "
            f"{r['missing']} | {r['worker_cpu_ms']:.2f} / {r['sink_cpu_ms']:.2f} | "
            f"{r['queue_seconds']:.2f} | {r['load']:.1f} |"
        )
    lines += [
        "",
        "Every run ended with every delivery row `sent`, the sink counting exactly one message "
        "per subscriber and none elsewhere"
        if all(
            r["duplicates"] == r["missing"] == r["unexpected"] == r["db_pending"] == 0
            and r["db_sent"] == r["subscribers"]
            for r in results
        )
        else "SOME RUN LOST OR REPEATED MAIL: see the table",
        f"(PostgreSQL synchronous_commit={synchronous_commit}: every settled row is on disk "
        "before the next email). The sink reads each message body in large chunks rather than "
        "through aiosmtpd's line-by-line loop, which alone cost more processor time per email "
        'than a worker. "Load before" is the one-minute load average when the run started: '
        "other work shares these two cores.",
        "",
        f"Machine: {info['machine']}; Python {info['python']}, Django {info['django']}, "
        f"{info['postgres']}, aiosmtpd {version('aiosmtpd')}. "
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
    ]
    support.write_section("mail", "\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default=DEFAULT_RUNS, help="SUBSCRIBERSxWORKERS, comma-separated")
    parser.add_argument(
        "--sink", nargs=2, metavar=("PORT_FILE", "REPORT_FILE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.sink:
        return run_sink(*args.sink)
    prepare_database()
    ensure_articles()
    runs = [tuple(int(n) for n in run_text.split("x")) for run_text in args.runs.split(",")]
    results = [run(count, workers) for count, workers in runs]
    command = (
        "make bench-mail"
        if args.runs == DEFAULT_RUNS
        else f"python -m bench.mail_bench --runs {args.runs}"
    )
    report(results, command, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
