"""What mail servers and email services told us about our mail after it left: bounces,
spam complaints, deferrals. Written by newsletter/suppression.py only, read by the subscriber
admin and the figures.

`event_id` is unique: a provider that retries a webhook, a DSN read twice, or a worker that
settles the same failed delivery again all name the same event, and the second is ignored."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class MailEvent(models.Model):
    class Kind(models.TextChoices):
        BOUNCE = "bounce", "Bounce"
        COMPLAINT = "complaint", "Spam complaint"
        DEFERRAL = "deferral", "Deferral (temporary failure)"

    subscriber = models.ForeignKey(
        "newsletter.Subscriber",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mail_events",
    )
    delivery = models.ForeignKey(
        "newsletter.Delivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mail_events",
        help_text="The digest email it is about, when known.",
    )
    address = models.EmailField(max_length=254, help_text="The recipient it is about.")
    kind = models.CharField(max_length=10, choices=Kind)
    permanent = models.BooleanField(
        default=False, help_text="A failure no retry will fix (an SMTP 5xx, a hard bounce)."
    )
    detail = models.TextField(blank=True, help_text="The server's or service's own words.")
    provider = models.CharField(
        max_length=30, help_text="Who reported it: smtp, dsn, or the email service's name."
    )
    event_id = models.CharField(max_length=200, unique=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        get_latest_by = "occurred_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["bounce", "complaint", "deferral"]),
                name="mail_event_kind_known",
            ),
        ]
        indexes = [
            models.Index(fields=["subscriber", "-occurred_at"], name="mail_event_subscriber")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.address} ({self.provider})"

    @property
    def soft(self):
        """A failure that may pass: counted over consecutive editions before suppressing."""
        return self.kind != self.Kind.COMPLAINT and not self.permanent


class Figures(MailEvent):
    """Only a handle for the admin's page of figures (newsletter/admin/figures.py), which reads
    these events with subscribers, consent records and deliveries; no table of its own."""

    class Meta:
        proxy = True
        verbose_name_plural = "figures"
