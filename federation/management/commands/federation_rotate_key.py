"""`manage.py federation_rotate_key`: replace the account's key pair (after a leak, or as
routine). Followers' servers are told with an Update of the account; any that miss it fetch
the new key when our next signature does not verify with the old one."""

from django.core.management.base import BaseCommand
from django.db import transaction

from federation.keys import rotate_key
from federation.outbox import record_key_change


class Command(BaseCommand):
    help = "Make a new key pair for the social web account and tell followers' servers."

    def handle(self, *args, **options):
        with transaction.atomic():
            key = rotate_key()
            record_key_change(public_pem=key.public_pem)
        self.stdout.write(f"New key pair made on {key.created_at:%Y-%m-%d %H:%M} UTC.")
