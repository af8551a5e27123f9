"""Articles: the story itself, its sections, byline, Recent News picks and old addresses.

`Article.objects.published()` is the one rule of what readers may see: every public page, feed,
sitemap, search and the daily digest reads through it. Writes go through articles/services.py.
"""

import uuid

from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone

from articles import dek as deks
from articles.markup import render_inline, render_lines
from articles.models.integrity import Correction
from articles.models.taxonomy import address
from newsroom.validators import validate_single_line


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, and its publish time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        """Published with a publish time still to come: each goes live by itself then."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def with_byline(self):
        """Authors in byline order and topics, in two extra queries whatever the count."""
        return self.prefetch_related(*page_prefetches()[:2])

    def for_row(self):
        """The article's row as its page reads it: with its lead image, without the words
        only the editor and search read (the summary's source, the search text)."""
        return self.select_related("lead_image").defer("summary", "search_text")

    def for_frame(self):
        """The columns the page around an article's cached parts reads (articles/parts.py):
        its title and description, and the version that names its parts."""
        return self.only("pk", "slug", "version", "headline", "dek")

    def for_page(self):
        """Everything the article page shows, in a fixed number of queries (the search copy
        of the sections' words is not among it)."""
        return (
            self.select_related("lead_image")
            .prefetch_related(*page_prefetches())
            .defer("search_text")
        )


def page_prefetches():
    """What rendering an article's own parts reads beyond its row (and its lead image, joined):
    bylines with their authors, topics, sections, corrections; one query each."""
    return [
        Prefetch("bylines", queryset=Byline.objects.select_related("author").order_by("position")),
        "topics",
        Prefetch("sections", queryset=Section.objects.order_by("position")),
        Prefetch("corrections", queryset=Correction.objects.order_by("published_at", "pk")),
    ]


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    headline = models.CharField(max_length=200, validators=[validate_single_line])
    slug = models.SlugField(
        max_length=200, unique=True, help_text="The address: /news/<slug>/. Old ones redirect."
    )
    dek = models.CharField(
        max_length=300,
        validators=[validate_single_line],
        blank=True,
        help_text=(
            "Optional: one sentence that sells the story, shown under the headline and in lists, "
            "Recent News and feeds. Left empty, the summary's first sentence is used."
        ),
    )
    summary_lead = models.CharField(
        "summary lead-in",
        max_length=120,
        validators=[validate_single_line],
        blank=True,
        help_text='The bold phrase before the colon, e.g. "The short version".',
    )
    summary = models.TextField(
        blank=True,
        help_text="One or two sentences. Links: [text](https://…), **bold**, *italic*.",
    )
    summary_html = models.TextField(editable=False, blank=True)
    take = models.CharField(
        max_length=200,
        validators=[validate_single_line],
        blank=True,
        help_text="Optional one-line opinion, may start with an emoji.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        db_index=True,
        help_text="A time in the future schedules the article; it goes live by itself.",
    )
    updated_at = models.DateTimeField(
        "updated on",
        null=True,
        blank=True,
        help_text='Shown as "Updated on" when later than the publish time.',
    )
    authors = models.ManyToManyField("articles.Author", through="Byline", related_name="articles")
    topics = models.ManyToManyField("articles.Topic", related_name="articles", blank=True)
    related = models.ManyToManyField(
        "self", through="RelatedPick", symmetrical=False, related_name="+", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    # --- Lead image (articles/images.py makes and reads it) ---
    lead_image = models.ForeignKey(
        "LeadImage", null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    lead_image_alt = models.CharField(
        "alt text",
        max_length=250,
        validators=[validate_single_line],
        blank=True,
        db_default="",
        help_text="What the picture shows, for readers who cannot see it. Required with an image.",
    )
    lead_image_caption = models.CharField(
        "caption", max_length=300, validators=[validate_single_line], blank=True, db_default=""
    )
    lead_image_credit = models.CharField(
        "credit",
        max_length=120,
        validators=[validate_single_line],
        blank=True,
        db_default="",
        help_text='Who made it, e.g. "Photo: Ana Ruiz".',
    )
    # --- end lead image ---

    # --- Search (owned by articles/search.py) ---
    # The sections' lead-ins, text and bullets as plain text, rewritten by
    # articles.search.refresh_search_text() whenever sections change. On PostgreSQL a trigger
    # keeps a weighted `search_vector` tsvector column (GIN-indexed, not a model field, so
    # lists never load it) in step with headline, dek, summary and this text.
    search_text = models.TextField(blank=True, default="", editable=False)
    # --- end search ---

    # A new value whenever anything a reader sees of the article changes, here or in its
    # sections, byline, topics or corrections (set by the write path, articles/services.py):
    # cached copies of its parts are keyed by it. A fresh random value rather than a counter,
    # so that no revision restored with an old value can ever meet that value's cached parts.
    version = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        permissions = [("publish_article", "Can publish, schedule and unpublish articles")]
        indexes = [models.Index(fields=["status", "-published_at"], name="article_live_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(headline=""), name="article_headline_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="article_slug_not_empty"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(lead_image__isnull=True) | ~Q(lead_image_alt=""),
                name="article_image_has_alt",
                violation_error_message="A lead image needs alt text.",
            ),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        # Derived, not a side effect: the stored HTML is what pages read, so it is rendered
        # once per change instead of once per view.
        self.summary_html = render_inline(self.summary)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return address("articles:article", self.slug)

    def clean(self):
        # Left empty (or never written), the dek follows the summary (articles/dek.py).
        if not self.dek.strip():
            self.dek = deks.from_summary(self.summary)

    @property
    def has_own_dek(self):
        """Whether an editor wrote the dek (the page then shows it as the standfirst)."""
        return bool(self.dek) and self.dek != deks.from_summary_html(self.summary_html)

    @property
    def is_live(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and not self.is_live

    @property
    def state_label(self):
        if self.status == self.Status.DRAFT:
            return "Draft"
        return "Live" if self.is_live else "Scheduled"

    @property
    def shows_update(self):
        return bool(self.updated_at and self.published_at and self.updated_at > self.published_at)

    @property
    def byline_authors(self):
        """Authors in byline order; reads the prefetch from `with_byline()`."""
        return [byline.author for byline in self.bylines.all()]

    @property
    def correction_list(self):
        """Corrections and updates, oldest first; reads the prefetch from `for_page()`."""
        return list(self.corrections.all())

    @property
    def latest_correction(self):
        corrections = self.correction_list
        return corrections[-1] if corrections else None

    def missing_for_publication(self, section_count=None):
        """What an editor must add before this article can go live, in words."""
        missing = []
        if not self.summary.strip():
            missing.append("a summary")
        if section_count is None:
            section_count = self.sections.count() if self.pk else 0
        if section_count == 0:
            missing.append("at least one section")
        return missing

    def publish(self, *, when=None):
        """Make the article live now, or schedule it for `when`."""
        self.status = self.Status.PUBLISHED
        self.published_at = when or timezone.now()

    def unpublish(self):
        self.status = self.Status.DRAFT


class Byline(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey("articles.Author", on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author"],
                name="byline_author_once",
                violation_error_message="This author is already in the byline.",
            ),
        ]

    def __str__(self):
        return self.author.name


class Section(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    lead_in = models.CharField(
        max_length=120,
        validators=[validate_single_line],
        help_text='The bold phrase before the colon, e.g. "Why it matters".',
    )
    text = models.TextField(help_text="One sentence. Links: [text](https://…), **bold**, *italic*.")
    bullets = models.TextField(blank=True, help_text="One bullet per line.")
    text_html = models.TextField(editable=False, blank=True)
    bullets_html = models.JSONField(editable=False, default=list)

    class Meta:
        ordering = ["position"]
        constraints = [
            # Deferred so editors can swap two sections in one save.
            models.UniqueConstraint(
                fields=["article", "position"],
                name="section_position_unique",
                deferrable=models.Deferrable.DEFERRED,
                violation_error_message="Two sections of one article cannot share a position.",
            ),
            models.CheckConstraint(condition=~Q(lead_in=""), name="section_lead_in_not_empty"),
        ]

    def __str__(self):
        return self.lead_in

    def save(self, *args, **kwargs):
        # Derived HTML, rendered once per change (see Article.save).
        self.text_html = render_inline(self.text)
        self.bullets_html = render_lines(self.bullets)
        super().save(*args, **kwargs)


class RelatedPick(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_picks")
    related = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "related"],
                name="related_pick_once",
                violation_error_message="This article is already picked.",
            ),
            models.CheckConstraint(
                condition=~Q(article=models.F("related")),
                name="related_pick_not_self",
                violation_error_message="An article cannot be its own Recent News pick.",
            ),
        ]

    def __str__(self):
        return str(self.related)


class SlugRedirect(models.Model):
    """A slug an article used to have; its old address answers 301 to the current one."""

    old_slug = models.SlugField(max_length=200, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"
