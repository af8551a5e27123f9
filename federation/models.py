"""The newsroom's account on the social web: its key, the servers and people following it, what
it sends them (an outbox of `Delivery` rows) and what they send back (likes and boosts)."""

import uuid

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from articles.models import Article


class Switch(models.Model):
    """Federation on or off, for the whole newsroom: one row."""

    enabled = models.BooleanField(
        "federation on",
        default=True,
        help_text="Off: the account is not found, its inbox refuses everything and nothing is "
        "sent. What was waiting goes out when it is switched on again.",
    )
    # The one deferred drain task waiting in the queue (federation.tasks.wake), so retries
    # and scheduled stories wake one worker, not one per change.
    wake_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "federation switch"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="switch_single_row")]

    def __str__(self):
        return "Federation on" if self.enabled else "Federation off"

    @classmethod
    def load(cls):
        return cls.objects.get_or_create(pk=1)[0]


class KeyPair(models.Model):
    """The RSA key the newsroom signs with; made once, replaced by `federation_rotate_key`."""

    private_pem = models.TextField(editable=False)
    public_pem = models.TextField(editable=False)
    current = models.BooleanField(default=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["current"], condition=Q(current=True), name="keypair_one_current"
            )
        ]

    def __str__(self):
        return f"Key of {self.created_at:%Y-%m-%d %H:%M}{' (current)' if self.current else ''}"


class ServerQuerySet(models.QuerySet):
    def with_follower_count(self):
        return self.annotate(follower_count=Count("actors__follower"))


class Server(models.Model):
    """Another server on the social web (a Mastodon instance, Threads…), by its host name."""

    domain = models.CharField(max_length=260, unique=True)
    # Consecutive failed deliveries; reset by the first success.
    failures = models.PositiveIntegerField(default=0)
    paused_until = models.DateTimeField(
        null=True, blank=True, help_text="Nothing is sent to this server before this time."
    )
    last_error = models.TextField(blank=True)
    last_delivered_at = models.DateTimeField(null=True, blank=True)

    objects = ServerQuerySet.as_manager()

    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain

    @property
    def is_paused(self):
        return self.paused_until is not None and self.paused_until > timezone.now()


class RemoteActor(models.Model):
    """An account on another server, as last fetched (a cache: refetched when stale or when
    its key no longer verifies)."""

    url = models.URLField("address", max_length=500, unique=True)
    server = models.ForeignKey(Server, on_delete=models.CASCADE, related_name="actors")
    key_id = models.URLField(max_length=500, unique=True)
    public_key_pem = models.TextField()
    inbox = models.URLField(max_length=500)
    shared_inbox = models.URLField(max_length=500, blank=True)
    handle = models.CharField(max_length=300, blank=True)
    name = models.CharField(max_length=300, blank=True)
    profile_url = models.URLField(max_length=500, blank=True)
    fetched_at = models.DateTimeField()

    def __str__(self):
        return self.handle or self.url


class Follower(models.Model):
    actor = models.OneToOneField(RemoteActor, on_delete=models.CASCADE, related_name="follower")
    # The Follow's own id: an Undo names it.
    follow_id = models.URLField(max_length=500)
    followed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-followed_at", "-pk"]

    def __str__(self):
        return str(self.actor)


class Activity(models.Model):
    """Something the newsroom tells the social web: a story (Create), its edit (Update), its
    withdrawal (Delete), an answer to a follow (Accept), a new key (the actor's Update)."""

    class Kind(models.TextChoices):
        CREATE = "Create"
        UPDATE = "Update"
        DELETE = "Delete"
        ACCEPT = "Accept"
        UPDATE_ACTOR = "UpdateActor", "Update of the account"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for its time"
        ADDRESSED = "addressed", "Addressed to its inboxes"
        WITHDRAWN = "withdrawn", "Withdrawn before it went out"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=Kind)
    status = models.CharField(max_length=10, choices=Status, default=Status.WAITING)
    # Not a foreign key: a Delete outlives the article it withdraws.
    article_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # A story withdrawn and published again is a new object for followers' servers (they
    # refuse an id they saw deleted); this counts its publications.
    generation = models.PositiveIntegerField(default=1)
    # One recipient (an Accept); empty: every follower.
    inbox = models.URLField(max_length=500, blank=True)
    # The JSON sent, built when the activity goes out (a scheduled story as it is then).
    payload = models.JSONField(null=True, blank=True, editable=False)
    not_before = models.DateTimeField(default=timezone.now)
    addressed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["not_before"], condition=Q(status="waiting"), name="activity_waiting_idx"
            )
        ]

    def __str__(self):
        subject = f"article {self.article_id}" if self.article_id else self.inbox or "account"
        return f"{self.get_kind_display()} of {subject}"


class DeliveryQuerySet(models.QuerySet):
    def due(self, now):
        """Rows a worker may send now: queued and due, or held by a worker presumed dead."""
        waiting = Q(status=Delivery.Status.QUEUED, next_attempt_at__lte=now)
        abandoned = Q(status=Delivery.Status.SENDING, lease_expires_at__lt=now)
        paused = Q(server__paused_until__gt=now)
        return self.filter(waiting | abandoned).exclude(paused)


class Delivery(models.Model):
    """One activity for one inbox: the outbox row a worker sends, at most once."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="deliveries")
    inbox = models.URLField(max_length=500)
    server = models.ForeignKey(Server, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=8, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "inbox"], name="delivery_once_per_inbox")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="delivery_pending_idx",
            )
        ]

    def __str__(self):
        return f"{self.activity} to {self.inbox}"


class Reaction(models.Model):
    """A like or a boost of a story, from an account elsewhere."""

    class Kind(models.TextChoices):
        LIKE = "like", "Like"
        BOOST = "boost", "Boost"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=5, choices=Kind)
    actor_url = models.URLField(max_length=500)
    # The Like's or Announce's own id: an Undo names it.
    activity_id = models.URLField(max_length=500, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "kind", "actor_url"], name="reaction_once_per_actor"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.article_id} by {self.actor_url}"


class ArticleReach(Article):
    """Stories with their likes and boosts, for the admin."""

    class Meta:
        proxy = True
        verbose_name = "story"
        verbose_name_plural = "likes and boosts per story"
