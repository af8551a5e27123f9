"""Read delivery status notifications and spam reports from the maildir that the VERP bounce
address (NEWSLETTER_BOUNCE_ADDRESS) delivers to; run it from cron or a systemd timer."""

import mailbox

from django.core.management.base import BaseCommand, CommandError

from newsletter import dsn


class Command(BaseCommand):
    help = "Record bounces and complaints from a maildir (newsletter/dsn.py), then remove them."

    def add_arguments(self, parser):
        parser.add_argument("--maildir", required=True, help="The bounce mailbox's maildir.")
        parser.add_argument(
            "--keep", action="store_true", help="Leave the messages (reading again is harmless)."
        )

    def handle(self, *, maildir, keep, **options):
        try:
            box = mailbox.Maildir(maildir, factory=None, create=False)
            keys = box.keys()
        except OSError as error:
            raise CommandError(f"Cannot read the maildir {maildir}: {error}") from error
        read = new = suppressed = 0
        for key in keys:
            recorded = dsn.process(box.get_bytes(key))
            read += 1
            new += sum(r.created for r in recorded)
            suppressed += sum(r.suppressed for r in recorded)
            if not keep:
                box.remove(key)
        self.stdout.write(
            f"Read {read} message(s): {new} new event(s), {suppressed} address(es) suppressed."
        )
