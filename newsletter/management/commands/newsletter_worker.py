"""`manage.py newsletter_worker`: one delivery worker in the foreground, for operators who
run workers as plain processes rather than through a task queue (and for the crash tests
and the mail benchmark, which kill and time real processes)."""

import json
import resource

from django.core.management.base import BaseCommand

from newsletter.delivery import run_worker
from newsletter.models import Edition


def peak_rss_kb():
    """This program's peak resident memory (Linux VmHWM). Not ru_maxrss: on Linux that also
    counts the memory of the parent process that started this one, as it was at the fork."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Command(BaseCommand):
    help = "Send queued deliveries of every edition being sent, then exit."

    def add_arguments(self, parser):
        parser.add_argument("--edition", type=int, help="Only this edition (its id).")
        parser.add_argument(
            "--patience",
            type=float,
            help="Seconds to wait for retries and other workers' claims before exiting "
            "(default: NEWSLETTER_WORKER_PATIENCE).",
        )
        parser.add_argument(
            "--batch-size", type=int, help="Deliveries per claim (default: NEWSLETTER_BATCH_SIZE)."
        )

    def handle(self, *args, edition=None, patience=None, batch_size=None, **options):
        editions = Edition.objects.unfinished().order_by("date")
        if edition is not None:
            editions = editions.filter(pk=edition)
        for pk in list(editions.values_list("pk", flat=True)):
            report = run_worker(pk, patience=patience, batch_size=batch_size).as_dict()
            report["edition"] = pk
            usage = resource.getrusage(resource.RUSAGE_SELF)
            # For the benchmark: the most memory this process held, and its processor time.
            report["peak_rss_kb"] = peak_rss_kb() or usage.ru_maxrss
            report["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 2)
            self.stdout.write(json.dumps(report))
