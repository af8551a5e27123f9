"""The moment news breaks: wrk at 50 connections on the front page for 30 s while an article is
published every second, through the shipped deploy/nginx.conf and straight to gunicorn.

    python -m bench.storm          (make bench runs it after the page figures)

gunicorn runs with production settings and the page cache shared through Redis, as production
runs (a publish made by another process must reach every worker). A separate process publishes
one prepared draft a second through the write path; a watcher reads the front page every 100 ms
and notes when each new headline first shows. Targets through nginx: p99 under 50 ms, no
errors, every new article on the front page within 6 s. Straight to gunicorn: reported.
"""

import os
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

from bench import support

SECONDS = int(os.environ.get("BENCH_STORM_SECONDS", "30"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PORT_APP, PORT_FRONT = 8621, 8625

DRAFTS = """
from django.utils import timezone
from articles.models import Article, Section
for n in range({count}):
    article = Article.objects.create(
        headline=f"Breaking {run} number {{n}}: a lab changes course",
        slug=f"storm-{run}-{{n}}", dek="Published while readers pile in.",
        summary_lead="The short version", summary="A story published under load.",
    )
    Section.objects.create(article=article, position=1, lead_in="What happened",
                           text="It was published during the benchmark.", bullets="One\\nTwo")
"""
PUBLISHER = """
import time
from articles import services
from articles.models import Article
publish = getattr(services, "article_publish", None) or services.article_publish_now
for article in Article.objects.filter(slug__startswith="storm-{run}-").order_by("pk"):
    started = time.monotonic()
    publish(article=article)
    print(article.slug, time.time(), flush=True)
    time.sleep(max(0.0, 1 - (time.monotonic() - started)))
"""
# The storm's articles go when it is done: they would be the newest stories of the next run.
CLEAN_UP = """
from articles import services
from articles.models import Article
for article in Article.objects.filter(slug__startswith="storm-{run}-"):
    services.article_delete(article=article)
"""


class Watcher(threading.Thread):
    """Reads the front page every 100 ms; remembers when each slug first appeared."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url = url
        self.first_seen = {}
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:  # noqa: S310
                    page = response.read().decode()
            except OSError:
                page = ""
            now = time.time()
            for slug in page.split('href="/news/')[1:]:
                self.first_seen.setdefault(slug.split("/", 1)[0], now)
            time.sleep(0.1)


def storm(base, label, env):
    run = uuid.uuid4().hex[:8]
    count = SECONDS + 2
    support.manage("shell", "-c", DRAFTS.format(count=count, run=run), **env)
    try:
        return _measure(base, label, env, run)
    finally:
        support.manage("shell", "-c", CLEAN_UP.format(run=run), **env)


def _measure(base, label, env, run):
    for _ in range(4):
        support.fetch(base + "/")
    watcher = Watcher(base + "/")
    watcher.start()
    publisher = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", PUBLISHER.format(run=run)],
        cwd=support.ROOT,
        env=support.production_env(**env),
        stdout=subprocess.PIPE,
        text=True,
    )
    result = support.wrk(base + "/", connections=50, seconds=SECONDS)
    publisher.terminate()
    # Only the publisher's own lines: `manage.py shell` may print its auto-imports first.
    lines = publisher.communicate()[0].splitlines()
    published = dict(line.split() for line in lines if line.startswith(f"storm-{run}-"))
    time.sleep(7)  # the last ones get their chance to show
    watcher.stop.set()
    watcher.join()
    delays = [
        watcher.first_seen.get(slug, float("inf")) - float(at) for slug, at in published.items()
    ]
    row = {
        **result,
        "label": label,
        "published": len(published),
        "worst_delay": max(delays, default=0.0),
        "late": sum(delay > 6 for delay in delays),
    }
    print(
        f"{label:<28} {row['rps']:>8.0f} req/s  p99 {row['p99']:7.2f} ms  errors {row['errors']}  "
        f"published {row['published']}, worst delay {row['worst_delay']:.1f} s, "
        f"later than 6 s: {row['late']}",
        flush=True,
    )
    return row


def main():
    env = {"CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}"}
    rows = []
    with support.gunicorn(PORT_APP, PAGE_CACHE_SECONDS=300, **env):
        with support.nginx(support.shipped_front(PORT_APP, PORT_FRONT)):
            rows.append(storm(f"http://127.0.0.1:{PORT_FRONT}", "publish storm via nginx", env))
        rows.append(storm(f"http://127.0.0.1:{PORT_APP}", "publish storm, gunicorn", env))
    return rows


def verdicts(rows):
    front = rows[0]
    return [
        (f"publish storm via nginx: p99 < 50 ms: {front['p99']:.1f} ms", front["p99"] < 50),
        (f"publish storm via nginx: no errors: {front['errors']}", front["errors"] == 0),
        (
            f"publish storm via nginx: every new article on the front page within 6 s "
            f"(worst {front['worst_delay']:.1f} s, {front['published']} published)",
            front["late"] == 0 and front["published"] > 0,
        ),
    ]


def report_lines(rows):
    lines = [
        "| scenario | req/s | p50 ms | p99 ms | errors | published | worst delay to the front |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['label']} | {row['rps']:.0f} | {row['p50']:.2f} | {row['p99']:.2f} "
            f"| {row['errors']} | {row['published']} | {row['worst_delay']:.1f} s |"
        )
    return lines


if __name__ == "__main__":
    os.chdir(support.ROOT)
    support.manage("migrate", "--noinput", "--verbosity", "0")
    support.manage("collectstatic", "--noinput", "--verbosity", "0")
    for row_verdict, ok in verdicts(main()):
        print(f"{'PASS' if ok else 'FAIL'}: {row_verdict}")
