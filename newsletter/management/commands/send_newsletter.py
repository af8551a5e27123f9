"""`manage.py send_newsletter`: build the day's edition and send it. Meant for cron, once a
day; running it again never builds a second edition nor sends anything twice, and resumes an
edition whose sending was interrupted."""

from datetime import date as Date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from newsletter import editions
from newsletter.content import edition_articles
from newsletter.delivery import delivery_counts
from newsletter.models import Edition, Subscriber


def day(value):
    try:
        return Date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date wants a day as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Build the edition for a day (today by default) from the articles published since the "
        "previous edition, then send it to every confirmed subscriber."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=str, help="The edition's day, YYYY-MM-DD.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would be built and sent; write nothing.",
        )
        parser.add_argument(
            "--review",
            action="store_true",
            help="Build the edition and stop, for an editor to review and send from the admin.",
        )

    def handle(self, *args, date=None, dry_run=False, review=False, **options):
        when = day(date) if date else timezone.localdate()
        if dry_run:
            return self.dry_run(when)
        for stalled in Edition.objects.unfinished().exclude(date=when):
            # An earlier day's sending was cut short (a crash, a dead worker): finish it first.
            editions.send_edition(edition_id=stalled.pk)
            self.stdout.write(f"Resumed {stalled}: {self.summary(stalled)}.")
        try:
            built = editions.build_edition(date=when)
        except editions.EditionError as error:
            raise CommandError(str(error)) from None
        edition = built.edition
        if edition is None:
            self.stdout.write(
                f"No article published between {built.since:%Y-%m-%d %H:%M} and "
                f"{built.cut_off:%Y-%m-%d %H:%M}: no edition for {when}, nothing sent."
            )
            return
        count = edition_articles(edition).count()
        if built.created:
            self.stdout.write(f"Built {edition}: {count} articles. Subject: {edition.subject}")
        else:
            self.stdout.write(f"{edition} exists ({edition.get_status_display().lower()}).")
        if review:
            path = reverse("admin:newsletter_edition_change", args=[edition.pk])
            self.stdout.write(f"Review it in the admin: {settings.SITE_URL}{path}")
            return
        if edition.status == Edition.Status.SENT:
            self.stdout.write(f"Already sent: {self.summary(edition)}. Nothing to do.")
            return
        try:
            queued = editions.send_edition(edition_id=edition.pk)
        except editions.EditionError as error:
            raise CommandError(str(error)) from None
        edition.refresh_from_db()
        if queued:
            self.stdout.write(f"Queued {queued} deliveries.")
        else:
            self.stdout.write("Resumed sending; no new delivery queued.")
        self.stdout.write(
            f"{edition}: {edition.get_status_display().lower()}, {self.summary(edition)}."
        )

    def summary(self, edition):
        counts = delivery_counts(edition)
        pending = counts["queued"] + counts["sending"]
        return (
            f"{counts['sent']} sent, {pending} pending, {counts['failed']} failed, "
            f"{counts['skipped']} skipped of {counts['total']}"
        )

    def dry_run(self, when):
        subscribers = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).count()
        edition = Edition.objects.filter(date=when).first()
        if edition is not None:
            articles = list(edition_articles(edition))
            self.stdout.write(f"{edition} exists ({edition.get_status_display().lower()}).")
            if edition.status != Edition.Status.DRAFT:
                self.stdout.write(f"It would not be sent again: {self.summary(edition)}.")
                return
            subject = edition.subject
        else:
            since, cut_off = editions.edition_window(when, timezone.now())
            articles = list(editions.new_articles(since, cut_off))
            if not articles:
                self.stdout.write(
                    f"No article published between {since:%Y-%m-%d %H:%M} and "
                    f"{cut_off:%Y-%m-%d %H:%M}: nothing would be sent."
                )
                return
            subject = editions.default_subject(when, articles[0].headline)
            self.stdout.write(f"Would build the edition of {when}.")
        self.stdout.write(f"Subject: {subject}")
        for article in articles:
            self.stdout.write(f"  - {article.headline} ({article.published_at:%Y-%m-%d %H:%M})")
        self.stdout.write(
            f"Would send it to {subscribers} confirmed subscribers. (Dry run: nothing written.)"
        )
