"""Editions: building the day's issue and starting to send it. Like newsletter/services.py,
every write goes through these keyword-only functions."""

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from articles import page_cache
from articles.models import Article
from newsletter.content import edition_articles, edition_window
from newsletter.models import Delivery, Edition, EditionArticle, Subscriber
from newsletter.tasks import enqueue_delivery_workers

MAX_SUBJECT = Edition._meta.get_field("subject").max_length


class EditionError(Exception):
    """An edition that cannot be built or sent as asked; the message says why."""


@dataclass
class Built:
    edition: Edition | None
    created: bool
    since: datetime | None = None
    cut_off: datetime | None = None


def default_subject(date, lead_headline):
    lead_headline = " ".join(lead_headline.split())  # one line, whatever an old row holds
    prefix = f"{settings.SITE_NAME} daily, {date.day} {date:%B %Y}: "
    room = MAX_SUBJECT - len(prefix)
    if len(lead_headline) > room:
        lead_headline = lead_headline[: room - 1].rstrip() + "…"
    return prefix + lead_headline


def new_articles(since, cut_off):
    return (
        Article.objects.published()
        .filter(published_at__gt=since, published_at__lte=cut_off)
        .order_by("-published_at", "-pk")
    )


def build_edition(*, date=None, now=None):
    """The edition for `date` (today by default): the existing one, or a new draft with the
    articles published since the previous edition, newest first. Builds nothing, and returns
    `Built(None, …)`, when no article is new."""
    now = now or timezone.now()
    date = date or timezone.localdate(now)
    existing = Edition.objects.filter(date=date).first()
    if existing is not None:
        return Built(existing, created=False, cut_off=existing.cut_off)
    if date > timezone.localdate(now):
        raise EditionError(f"{date:%Y-%m-%d} is in the future: an edition is built on its day.")
    if Edition.objects.filter(date__gt=date).exists():
        raise EditionError(f"A later edition exists; {date:%Y-%m-%d} can no longer be built.")
    since, cut_off = edition_window(date, now)
    articles = list(new_articles(since, cut_off).only("pk", "headline"))
    if not articles:
        return Built(None, created=False, since=since, cut_off=cut_off)
    try:
        with transaction.atomic():
            edition = Edition.objects.create(
                date=date,
                subject=default_subject(date, articles[0].headline),
                cut_off=cut_off,
                created_at=now,
            )
            EditionArticle.objects.bulk_create(
                EditionArticle(edition=edition, article=article, position=position)
                for position, article in enumerate(articles)
            )
    except IntegrityError:
        # Another run built the same day a moment ago: that one is the edition.
        return Built(Edition.objects.get(date=date), created=False)
    return Built(edition, created=True, since=since, cut_off=cut_off)


def _queue_deliveries(edition, now):
    """One delivery per confirmed subscriber, in one INSERT … SELECT however many there are.
    The unique (edition, subscriber) pair makes a repeat add nothing."""
    quote = connection.ops.quote_name
    column = {f.name: quote(f.column) for f in Delivery._meta.concrete_fields}
    names = [
        "edition",
        "subscriber",
        "status",
        "attempts",
        "next_attempt_at",
        "message_id",
        "last_error",
    ]
    # Identifiers come from the models' metadata; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(Delivery._meta.db_table)} ({', '.join(column[n] for n in names)}) "  # noqa: S608
        f"SELECT %s, s.{quote('id')}, %s, 0, %s, '', '' "
        f"FROM {quote(Subscriber._meta.db_table)} s WHERE s.{quote('status')} = %s "
        f"ON CONFLICT ({column['edition']}, {column['subscriber']}) DO NOTHING"
    )
    params = [edition.pk, Delivery.Status.QUEUED, now, Subscriber.Status.CONFIRMED]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def send_edition(*, edition_id, workers=None):
    """Start sending a draft (queue a delivery per confirmed subscriber), or resume an edition
    whose sending was interrupted; either way start delivery workers once committed. Returns
    the number of deliveries queued by this call."""
    now = timezone.now()
    with transaction.atomic():
        edition = Edition.objects.select_for_update().get(pk=edition_id)
        if edition.status == Edition.Status.SENT:
            raise EditionError(f"{edition} was already sent.")
        queued = 0
        if edition.status == Edition.Status.DRAFT:
            if not edition_articles(edition).exists():
                raise EditionError(f"{edition} has no published article to send.")
            # A retry after sending stopped keeps started_at and adds who confirmed since.
            edition.status, edition.started_at = Edition.Status.SENDING, edition.started_at or now
            queued = _queue_deliveries(edition, now)
            edition.recipient_count = Delivery.objects.filter(edition=edition).count()
            edition.last_error = ""
            edition.save(update_fields=["status", "started_at", "recipient_count", "last_error"])
            page_cache.content_changed()  # the edition joins the public archive
        transaction.on_commit(partial(enqueue_delivery_workers, edition.pk, workers))
    return queued
