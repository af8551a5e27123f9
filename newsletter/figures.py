"""The numbers editors look at (the admin's Newsletter › Figures), each read in a fixed number
of queries whatever the number of subscribers: confirmed subscribers per day, signups by the
page they came from, and per edition sent, failed, bounced, complained and unsubscribed, with
the complaint rate against the 0.3% that Gmail's and Yahoo's bulk-sender rules allow."""

from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime, time, timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from articles.models import Article
from newsletter.mail_events import MailEvent
from newsletter.models import ConsentRecord, Delivery, Edition, Subscriber

COMPLAINT_LIMIT = 0.003
ARTICLE_PREFIX = "/news/"


def _end_of(day):
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def confirmed_per_day(*, days=30, today=None):
    """[(day, confirmed subscribers at the end of that day)] for the last `days` days, in one
    query. Read from each subscriber's latest confirmation and leaving times (an address that
    left and came back counts from its new confirmation)."""
    today = today or timezone.localdate()
    day_list = [today - timedelta(days=n) for n in reversed(range(days))]

    def still_there(end, left):
        return (
            Q(**{f"{left}__isnull": True})
            | Q(**{f"{left}__lt": F("confirmed_at")})
            | Q(**{f"{left}__gte": end})
        )

    counts = Subscriber.objects.aggregate(
        **{
            f"d{n}": Count(
                "pk",
                filter=Q(confirmed_at__lt=_end_of(day))
                & still_there(_end_of(day), "unsubscribed_at")
                & still_there(_end_of(day), "suppressed_at"),
            )
            for n, day in enumerate(day_list)
        }
    )
    return [(day, counts[f"d{n}"]) for n, day in enumerate(day_list)]


@dataclass
class Source:
    path: str
    headline: str
    signups: int
    confirmed: int


def signups_by_source(*, limit=10):
    """The pages whose form brought the most signups (with how many confirmed), naming the
    story when the page is an article: two queries."""
    rows = list(
        ConsentRecord.objects.values("source")
        .annotate(signups=Count("pk"), confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)))
        .order_by("-signups", "source")[:limit]
    )
    slugs = {
        row["source"][len(ARTICLE_PREFIX) :].strip("/")
        for row in rows
        if row["source"].startswith(ARTICLE_PREFIX)
    }
    headlines = dict(Article.objects.filter(slug__in=slugs).values_list("slug", "headline"))
    return [
        Source(
            path=row["source"] or "(unknown)",
            headline=headlines.get(row["source"][len(ARTICLE_PREFIX) :].strip("/"), ""),
            signups=row["signups"],
            confirmed=row["confirmed"],
        )
        for row in rows
    ]


@dataclass
class EditionFigures:
    date: Date
    subject: str
    sent: int
    failed: int
    bounced: int
    complained: int
    unsubscribed: int

    @property
    def complaint_rate(self):
        return self.complained / self.sent if self.sent else 0.0

    @property
    def over_limit(self):
        return self.complaint_rate > COMPLAINT_LIMIT


def per_edition(*, limit=14):
    """The latest `limit` editions sent, oldest first, in three queries. Bounces and complaints
    are those reported about the edition's own deliveries; unsubscribed counts the readers who
    left between its start and the next edition's."""
    editions = list(
        Edition.objects.exclude(status=Edition.Status.DRAFT)
        .order_by("-date")
        .only("date", "subject", "started_at")[:limit]
    )[::-1]
    if not editions:
        return []
    ids = [e.pk for e in editions]
    deliveries = {
        row["edition"]: row
        for row in Delivery.objects.filter(edition__in=ids)
        .values("edition")
        .annotate(
            sent=Count("pk", filter=Q(status=Delivery.Status.SENT)),
            failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
        )
        .order_by()
    }
    events = {
        row["delivery__edition"]: row
        for row in MailEvent.objects.filter(delivery__edition__in=ids)
        .values("delivery__edition")
        .annotate(
            bounced=Count("pk", filter=Q(kind=MailEvent.Kind.BOUNCE)),
            complained=Count("pk", filter=Q(kind=MailEvent.Kind.COMPLAINT)),
        )
        .order_by()
    }
    windows = [
        (e.started_at, editions[n + 1].started_at if n + 1 < len(editions) else None)
        for n, e in enumerate(editions)
    ]
    left = Subscriber.objects.aggregate(
        **{
            f"e{n}": Count(
                "pk",
                filter=Q(unsubscribed_at__gte=start) & (Q(unsubscribed_at__lt=end) if end else Q()),
            )
            for n, (start, end) in enumerate(windows)
        }
    )
    return [
        EditionFigures(
            date=e.date,
            subject=e.subject,
            sent=deliveries.get(e.pk, {}).get("sent", 0),
            failed=deliveries.get(e.pk, {}).get("failed", 0),
            bounced=events.get(e.pk, {}).get("bounced", 0),
            complained=events.get(e.pk, {}).get("complained", 0),
            unsubscribed=left[f"e{n}"],
        )
        for n, e in enumerate(editions)
    ]
