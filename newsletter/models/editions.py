"""The daily digest: editions, the articles each carries, and the outbox of deliveries (one per
subscriber per edition)."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from newsletter.models.subscribers import Subscriber
from newsroom.validators import validate_single_line


class EditionQuerySet(models.QuerySet):
    def unfinished(self):
        """Editions whose sending started and has not finished: workers still owe them mail."""
        return self.filter(status=Edition.Status.SENDING)

    def with_counts(self):
        """Delivery counts on each edition in the same query: the stored totals of finished
        editions, counted live from the rows only for editions still sending."""

        def live(*statuses):
            rows = (
                Delivery.objects.filter(edition=models.OuterRef("pk"), status__in=statuses)
                .order_by()
                .values("edition")
                .annotate(n=models.Count("pk"))
                .values("n")
            )
            return Coalesce(models.Subquery(rows), 0)

        def live_or_stored(status, stored):
            return models.Case(
                models.When(status=Edition.Status.SENDING, then=live(status)),
                default=models.F(stored),
                output_field=models.IntegerField(),
            )

        return self.annotate(
            sent=live_or_stored(Delivery.Status.SENT, "sent_count"),
            failed=live_or_stored(Delivery.Status.FAILED, "failed_count"),
            skipped=live_or_stored(Delivery.Status.SKIPPED, "skipped_count"),
            pending=models.Case(
                models.When(status=Edition.Status.SENDING, then=live(*Delivery.PENDING)),
                models.When(status=Edition.Status.SENT, then=0),
                default=None,
                output_field=models.IntegerField(),
            ),
        )


class Edition(models.Model):
    """One daily issue of the newsletter: the articles published since the previous one."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    date = models.DateField(unique=True, help_text="The day this edition is for.")
    subject = models.CharField(
        max_length=200, validators=[validate_single_line], help_text="The email's subject line."
    )
    intro = models.TextField(
        blank=True,
        help_text=(
            "Optional note from the editor above the articles. Links: [text](https://…), "
            "**bold**, *italic*; a blank line starts a new paragraph."
        ),
    )
    cut_off = models.DateTimeField(
        help_text="Articles published up to this time belong to this edition; the next "
        "edition starts after it."
    )
    articles = models.ManyToManyField(
        "articles.Article", through="EditionArticle", related_name="editions"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True, help_text="When sending started.")
    finished_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last delivery was settled."
    )
    # Written once, in the transaction that finishes the edition, from its delivery rows
    # (which no longer change then); while sending, counts are read live from the rows.
    recipient_count = models.PositiveIntegerField(null=True, blank=True)
    sent_count = models.PositiveIntegerField(null=True, blank=True)
    failed_count = models.PositiveIntegerField(null=True, blank=True)
    skipped_count = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(
        blank=True,
        help_text="Why sending last stopped, if it did; sending again clears it.",
    )

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        get_latest_by = "date"
        permissions = [("send_edition", "Can send an edition to every subscriber")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "sending", "sent"]), name="edition_status_known"
            ),
            models.CheckConstraint(condition=~Q(subject=""), name="edition_subject_not_empty"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(started_at__isnull=False),
                name="edition_started_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(finished_at__isnull=False),
                name="edition_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"Edition of {self.date:%Y-%m-%d}"

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT


def published_articles():
    """Choices for an edition's articles: what readers can see (Article.objects.published())."""
    from articles.models import Article

    return {"pk__in": Article.objects.published().values("pk")}


class EditionArticle(models.Model):
    """An article's place in an edition, in the editor's order."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="article_links")
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="edition_links",
        limit_choices_to=published_articles,
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "article"],
                name="edition_article_once",
                violation_error_message="This article is already in the edition.",
            ),
        ]

    def __str__(self):
        return str(self.article)


class DeliveryQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status__in=Delivery.PENDING)

    def claimable(self, edition_id, now):
        """Rows a worker may take now: queued and due, or held by a worker whose claim ran
        out (it died). Read through the partial index of pending rows."""
        return (
            self.pending()
            .filter(edition_id=edition_id)
            .filter(
                Q(status=Delivery.Status.QUEUED, next_attempt_at__lte=now)
                | Q(status=Delivery.Status.SENDING, lease_expires_at__lt=now)
            )
        )

    def counts(self):
        """{status: count} for every status, plus "total", in one aggregate query."""
        return self.aggregate(
            total=models.Count("pk"),
            **{
                status: models.Count("pk", filter=Q(status=status))
                for status in Delivery.Status.values
            },
        )


class Delivery(models.Model):
    """One edition to one subscriber: the outbox row that workers claim, send and settle."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    PENDING = (Status.QUEUED, Status.SENDING)

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=8, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        default=timezone.now, help_text="A queued row is not claimed before this time."
    )
    lease_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A row being sent belongs to its worker until then; after it, the worker is "
        "presumed dead and the row may be claimed again.",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "subscriber"], name="delivery_once_per_subscriber"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sending", "sent", "failed", "skipped"]),
                name="delivery_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="delivery_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_expires_at__isnull=False),
                name="delivery_sending_has_lease",
            ),
        ]
        indexes = [
            # Only the rows still owed: claims scan this, not the settled millions.
            models.Index(
                fields=["edition", "id"],
                condition=Q(status__in=["queued", "sending"]),
                name="delivery_pending",
            ),
        ]

    def __str__(self):
        return f"{self.edition} to {self.subscriber}"
