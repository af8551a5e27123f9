"""VERP: each digest leaves with a return path of its own, bounces+d<delivery>-<check>@domain,
when NEWSLETTER_BOUNCE_ADDRESS (e.g. bounces@news.example.org) is set. A mail server that gives
up on a digest later (after our relay accepted it) sends its delivery status notification to
that address, which names the very delivery it is about, whatever the notification's own
format: newsletter/dsn.py reads them from a maildir (`manage.py read_bounces`).

The check is a keyed hash, so nobody can make up an address that suppresses someone else; it is
lower-case hexadecimal because some servers change the case of a local part.
"""

import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "newsletter.bounce-address"
CHECK_LENGTH = 12


def _check(delivery_pk):
    return salted_hmac(SALT, str(delivery_pk), algorithm="sha256").hexdigest()[:CHECK_LENGTH]


def bounce_address(delivery_pk):
    """The return path for one delivery, or None when no bounce address is configured."""
    configured = settings.NEWSLETTER_BOUNCE_ADDRESS
    if not configured:
        return None
    local, _, domain = configured.rpartition("@")
    return f"{local}+d{delivery_pk}-{_check(delivery_pk)}@{domain}"


def delivery_of(address):
    """The delivery id a bounce address names, or None when it is not one of ours."""
    configured = settings.NEWSLETTER_BOUNCE_ADDRESS
    if not configured or not address:
        return None
    local, _, domain = configured.rpartition("@")
    pattern = rf"{re.escape(local)}\+d(\d+)-([0-9a-f]{{{CHECK_LENGTH}}})@{re.escape(domain)}"
    found = re.fullmatch(pattern, address.strip().strip("<>"), flags=re.IGNORECASE)
    if found is None or not constant_time_compare(found[2].lower(), _check(int(found[1]))):
        return None
    return int(found[1])
