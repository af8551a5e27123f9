"""Fixed-window counters in the database, so a limit holds across every gunicorn worker and
machine: one atomic upsert per hit, no read-then-write race."""

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models

from newsroom.client import client_ip


class RateLimit(models.Model):
    """One counter per key and fixed time window, shared by every worker and machine."""

    pk = models.CompositePrimaryKey("key", "window_start")
    key = models.CharField(max_length=100)
    window_start = models.BigIntegerField(help_text="Unix time the window opened.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["window_start"], name="ratelimit_window_start")]

    def __str__(self):
        return f"{self.key} @ {self.window_start}: {self.count}"


# Windows older than this are deleted when a new window opens; every limit must be shorter.
KEEP_SECONDS = 86400


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int


def hit(key, *, limit, window, now=None):
    """Count one hit on `key` in the current `window` (seconds) and say if it is within `limit`."""
    if not 0 < window <= KEEP_SECONDS:
        raise ValueError(f"window must be between 1 and {KEEP_SECONDS} seconds")
    now = int(time.time() if now is None else now)
    window_start = now - now % window
    table, key_, start, count_ = map(
        connection.ops.quote_name, [RateLimit._meta.db_table, "key", "window_start", "count"]
    )
    # PostgreSQL and SQLite >= 3.35 both take this upsert with RETURNING.
    sql = (
        f"INSERT INTO {table} ({key_}, {start}, {count_}) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT ({key_}, {start}) DO UPDATE SET {count_} = {table}.{count_} + 1 "
        f"RETURNING {count_}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, window_start])
        (count,) = cursor.fetchone()
    if count == 1:
        # A new window opened: a cheap moment to drop the expired ones.
        RateLimit.objects.filter(window_start__lt=now - KEEP_SECONDS).delete()
    return Verdict(allowed=count <= limit, count=count, retry_after=window_start + window - now)


def client_network(ip):
    """The /24 (IPv4) or /48 (IPv6) network as a string; '' when `ip` is not an address."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ""
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def signup_allowed(request):
    """One signup attempt from this client's network, against the per-network limit."""
    network = client_network(client_ip(request)) or "unknown"
    return hit(
        f"signup:{network}",
        limit=settings.NEWSLETTER_SIGNUPS_PER_NETWORK,
        window=settings.NEWSLETTER_SIGNUP_WINDOW,
    )
