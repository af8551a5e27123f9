"""Uploaded lead images and their renditions (articles/images.py makes and reads them)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class LeadImage(models.Model):
    """An uploaded picture, re-encoded without its metadata. Never changed once stored, so an
    old revision of an article can point back to it; its renditions are made with it."""

    file = models.FileField(max_length=200, editable=False)
    digest = models.CharField(
        max_length=64, unique=True, editable=False, help_text="SHA-256 of the uploaded bytes."
    )
    format = models.CharField(max_length=4, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    has_alpha = models.BooleanField(default=False, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=["JPEG", "PNG", "WEBP"]), name="lead_image_format_known"
            ),
        ]

    def __str__(self):
        return f"{self.file.name} ({self.width}×{self.height})"


class Rendition(models.Model):
    """One stored size or crop of a lead image, made once (articles.images.make_renditions)."""

    lead_image = models.ForeignKey(LeadImage, on_delete=models.CASCADE, related_name="renditions")
    spec = models.CharField(max_length=10)
    file = models.FileField(max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lead_image", "spec"], name="rendition_once_per_spec"),
        ]

    def __str__(self):
        return f"{self.spec} of {self.lead_image_id} ({self.width}×{self.height})"
