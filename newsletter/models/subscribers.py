"""Subscribers: one row per address (one status, a timestamp per change) and the consent each
signup gave."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from newsletter.addresses import normalize_address


class SubscriberQuerySet(models.QuerySet):
    def with_address(self, address):
        """The subscriber for this address however it is spelt (newsletter/addresses.py) and
        whatever its case, through the Lower(email) index. Raises Unmailable for an address
        that cannot be one of ours."""
        return self.alias(email_lower=Lower("email")).filter(
            email_lower=normalize_address(address).lower()
        )

    def status_counts(self):
        """{status: count} for every status, zeros included, in one query."""
        counts = dict.fromkeys(Subscriber.Status.values, 0)
        rows = self.order_by().values_list("status").annotate(n=models.Count("pk"))
        counts.update(dict(rows))
        return counts


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        # Mail to it failed for good, or its reader reported spam (newsletter/suppression.py).
        SUPPRESSED = "suppressed", "Suppressed"

    email = models.EmailField(max_length=254)
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the address last confirmed its subscription."
    )
    unsubscribed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the address last unsubscribed."
    )
    signup_emailed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a signup last queued an email to this address (at most one an hour).",
    )
    suppressed_at = models.DateTimeField(null=True, blank=True, help_text="When mail stopped.")
    suppressed_reason = models.CharField(
        max_length=300, blank=True, help_text="Why: the bounce or complaint that stopped it."
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        # Every address at once is worth more than any one page of the list: granted apart.
        permissions = [("export_subscriber", "Can export subscribers as CSV")]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="subscriber_email_unique_any_case"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "confirmed", "unsubscribed", "suppressed"]),
                name="subscriber_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="suppressed") | Q(suppressed_at__isnull=False),
                name="subscriber_suppressed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="subscriber_confirmed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="unsubscribed") | Q(unsubscribed_at__isnull=False),
                name="subscriber_unsubscribed_has_time",
            ),
        ]

    def __str__(self):
        return self.email


class ConsentRecord(models.Model):
    """What a visitor agreed to, once per signup: evidence for the double opt-in."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="consent_records"
    )
    created_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(
        max_length=200, blank=True, help_text="The page the form was on (path only)."
    )
    pitch = models.TextField(help_text="The exact sentence shown beside the form.")
    ip_network = models.CharField(
        max_length=43, blank=True, help_text="The client's /24 (IPv4) or /48 (IPv6) network."
    )
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When this signup was confirmed from the email."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = "created_at"

    def __str__(self):
        return f"Consent of {self.subscriber} on {self.created_at:%Y-%m-%d %H:%M}"
