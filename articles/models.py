from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from articles.markup import render_inline, render_lines


@lru_cache(maxsize=8192)
def _address(name, slug, prefix):
    return reverse(name, kwargs={"slug": slug})


def address(name, slug):
    """`reverse(name, kwargs={"slug": slug})`, remembered: lists and Recent News link the same
    articles on every page, and reversing costs more than the rest of a link. A pure function
    of the URLconf and the script prefix, so it is forgotten when settings change."""
    return _address(name, slug, get_script_prefix())


setting_changed.connect(lambda **kwargs: _address.cache_clear(), weak=False)


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(
        blank=True, help_text="Two or three sentences, shown on the author page."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="The staff account that writes as this author (writers edit their own drafts).",
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="author_name_not_empty")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("articles:author", self.slug)


class Topic(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, help_text="One sentence, shown on the topic page.")
    in_navigation = models.BooleanField(
        default=True, help_text="Show this topic in the site header."
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order in the header; lower comes first."
    )

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="topic_name_not_empty")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("articles:topic", self.slug)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, and its publish time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def with_byline(self):
        """Authors in byline order and topics, in two extra queries whatever the count."""
        return self.prefetch_related(*page_prefetches()[:2])

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

    headline = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, unique=True, help_text="The address: /news/<slug>/. Old ones redirect."
    )
    dek = models.CharField(
        max_length=300,
        help_text="One sentence that sells the story; used in lists, Recent News and feeds.",
    )
    summary_lead = models.CharField(
        "summary lead-in",
        max_length=120,
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
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles")
    topics = models.ManyToManyField(Topic, related_name="articles", blank=True)
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
        blank=True,
        db_default="",
        help_text="What the picture shows, for readers who cannot see it. Required with an image.",
    )
    lead_image_caption = models.CharField("caption", max_length=300, blank=True, db_default="")
    lead_image_credit = models.CharField(
        "credit",
        max_length=120,
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

    # --- The article's own parts of its page, rendered once per change (articles/rendering.py):
    # <head> metadata, the header (headline, byline, notice, lead image) and the body (summary,
    # sections, take, corrections). `rendered_for` says which state of the article and of the
    # renderer they were made from; a page view compares it and renders again when it differs.
    # Empty by default in the database too, so rows inserted in SQL are simply unrendered.
    head_html = models.TextField(blank=True, default="", db_default="", editable=False)
    header_html = models.TextField(blank=True, default="", db_default="", editable=False)
    body_html = models.TextField(blank=True, default="", db_default="", editable=False)
    rendered_for = models.CharField(
        max_length=40, blank=True, default="", db_default="", editable=False
    )
    # Rendered with them, for Recent News (articles/recent.py): the article's topic ids and its
    # picks' ids in pick order, comma-separated, so the page finds them without a join.
    recent_topic_ids = models.TextField(blank=True, default="", db_default="", editable=False)
    recent_pick_ids = models.TextField(blank=True, default="", db_default="", editable=False)
    # --- end rendering ---

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
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
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
        max_length=120, help_text='The bold phrase before the colon, e.g. "Why it matters".'
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


# --- Editorial integrity: corrections, preview links, lead images (articles/corrections.py,
# articles/previews.py, articles/images.py hold the code that writes these) ---


class Correction(models.Model):
    """A correction or an update published on a live article, kept for the record."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
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

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
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
