"""Pages on a cache miss, an earlier commit against this tree, measured turn about.

    .venv/bin/python -m bench.compare f1d7980      (COMPARE_SECONDS=10 COMPARE_ROUNDS=2)

Two figures taken an hour apart on a shared machine differ by more than a change does, so both
versions run at once, each with its own gunicorn and database of the same 10,000 generated
articles, and wrk measures them in turn (before, after, then after, before). The earlier commit
is exported to a scratch directory with this tree's bench/ (its generator and helpers), and runs
on this tree's virtualenv. Prints a table, writes the "Compare" section of bench/RESULTS.md.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from bench import pages, support

SECONDS = int(os.environ.get("COMPARE_SECONDS", "10"))
ROUNDS = int(os.environ.get("COMPARE_ROUNDS", "2"))
BEFORE_DATABASE_URL = support.BENCH_DATABASE_URL + "_before"
PORT_BEFORE, PORT_AFTER = 8631, 8632


def export(commit):
    """`commit`'s files in a scratch directory, with this tree's bench/."""
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-compare-"))
    archive = subprocess.run(
        ["git", "archive", commit], cwd=support.ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(workdir)], input=archive, check=True)
    shutil.rmtree(workdir / "bench", ignore_errors=True)
    shutil.copytree(support.ROOT / "bench", workdir / "bench")
    return workdir


def prepare(root, database_url):
    """Migrate, collect static files and fill the archive for the code at `root`."""
    support.create_database(database_url)
    env = support.production_env(DATABASE_URL=database_url)
    for args in (
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["shell", "-c", f"from bench.dataset import ensure; ensure({pages.SMALL})"],
    ):
        subprocess.run([support.PYTHON, "manage.py", *args], cwd=root, env=env, check=True)


def main(commit):
    support.require("wrk")
    before_root = export(commit)
    try:
        prepare(before_root, BEFORE_DATABASE_URL)
        prepare(support.ROOT, support.BENCH_DATABASE_URL)
        urls = pages.pick_urls()  # the same generator, so the same articles in both
        with ExitStack() as stack:
            bases = {
                "before": serving(stack, PORT_BEFORE, before_root, BEFORE_DATABASE_URL),
                "after": serving(stack, PORT_AFTER, support.ROOT, support.BENCH_DATABASE_URL),
            }
            for base in bases.values():
                pages.warm(base, urls.values())
            rows = [measure(bases, name, path, c) for name, path in urls.items() for c in (10, 50)]
    finally:
        shutil.rmtree(before_root, ignore_errors=True)
    report(commit, rows)


def serving(stack, port, root, database_url):
    """The address of gunicorn serving `root`'s code on `database_url`, for as long as `stack`."""
    stack.enter_context(
        support.gunicorn(port, root=root, DATABASE_URL=database_url, PAGE_CACHE_SECONDS=0)
    )
    return f"http://127.0.0.1:{port}"


def measure(bases, name, path, connections):
    figures = {"before": [], "after": []}
    for turn in range(ROUNDS):
        order = ("before", "after") if turn % 2 == 0 else ("after", "before")
        for side in order:
            run = support.wrk(bases[side] + path, connections=connections, seconds=SECONDS)
            figures[side].append(run["rps"])
    before, after = statistics.mean(figures["before"]), statistics.mean(figures["after"])
    print(
        f"{name:<8} c={connections:<3} before {before:6.0f} req/s  after {after:6.0f} req/s  "
        f"{after / before:5.2f}x",
        flush=True,
    )
    return name, connections, before, after


def report(commit, rows):
    lines = [
        "## Compare (`python -m bench.compare`)",
        "",
        f"Command: `python -m bench.compare {commit}` (COMPARE_SECONDS={SECONDS}, "
        f"COMPARE_ROUNDS={ROUNDS}), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
        f"Pages on a cache miss, {pages.SMALL:,} generated articles, commit {commit} and this "
        "tree served at once (2 gunicorn workers each) and measured in turn with wrk; "
        "mean req/s of the rounds.",
        "",
        "| page | conns | before req/s | after req/s | after / before |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {c} | {before:.0f} | {after:.0f} | {after / before:.2f} |"
        for name, c, before, after in rows
    ]
    support.write_section("compare", "\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.chdir(support.ROOT)
    main(sys.argv[1])
