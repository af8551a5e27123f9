"""Editorial integrity: corrections and shareable previews (articles/corrections.py and
articles/previews.py hold the code that writes these)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from articles.markup import render_inline


class Correction(models.Model):
    """A correction or an update published on a live article, kept for the record."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="corrections"
    )
    kind = models.CharField(
        max_length=10,
        choices=Kind,
        default=Kind.CORRECTION,
        help_text="A correction fixes something that was wrong; an update adds what is new.",
    )
    text = models.TextField(
        help_text="What was wrong and what is right, in a sentence or two. Links: "
        "[text](https://…), **bold**, *italic*."
    )
    text_html = models.TextField(editable=False, blank=True)
    published_at = models.DateTimeField(
        "date", default=timezone.now, help_text="Shown with the correction; not in the future."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["published_at", "pk"]
        indexes = [models.Index(fields=["-published_at"], name="correction_newest_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="correction_text_not_empty"),
            models.CheckConstraint(
                condition=Q(kind__in=["correction", "update"]), name="correction_kind_known"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.published_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        # Derived HTML, rendered once per change (see Article.save).
        self.text_html = render_inline(self.text)
        super().save(*args, **kwargs)


class PreviewLink(models.Model):
    """A shareable, expiring, revocable address showing an unpublished article."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="preview_links"
    )
    token = models.CharField(max_length=200, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="preview_link_expires_after_creation",
            ),
        ]

    def __str__(self):
        return f"Preview of “{self.article}” until {self.expires_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("articles:preview", kwargs={"token": self.token})

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()
