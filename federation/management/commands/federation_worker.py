"""`manage.py federation_worker`: send the social web's outbox from a plain process.

Needed where tasks run inline (the immediate backend: the quick start, tests), and an
alternative to `db_worker` in production. Any number may run at once."""

import json
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from federation.delivery import drain


class Command(BaseCommand):
    help = "Send due deliveries to followers' servers; with --once, exit when none is due."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Drain once, then exit.")
        parser.add_argument(
            "--poll",
            type=float,
            default=5.0,
            help="Longest sleep between drains, in seconds (default 5).",
        )
        parser.add_argument("--batch-size", type=int, help="Rows per claim (default 200).")

    def handle(self, *args, once=False, poll=5.0, batch_size=None, **options):
        while True:
            report = drain(batch_size=batch_size)
            if once:
                self.stdout.write(json.dumps(report.as_dict()))
                return
            if not report.more:
                wait = poll
                if report.next_due is not None:
                    wait = (report.next_due - timezone.now()).total_seconds()
                time.sleep(min(poll, max(0.0, wait)))
