"""Building editions and the `send_newsletter` command: which articles an edition carries, one
edition a day however often cron runs, review and dry-run modes, clear refusals."""

from datetime import datetime, time, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from newsletter import editions
from newsletter.content import edition_articles
from newsletter.models import Delivery, Edition
from tests.factories import audience, make_article

pytestmark = pytest.mark.django_db


def run(capsys, *args):
    call_command("send_newsletter", *args)
    return capsys.readouterr().out


def headlines(edition):
    return [a.headline for a in edition_articles(edition)]


def test_first_edition_carries_the_last_day_newest_first():
    make_article("Yesterday morning", hours_ago=20)
    make_article("This morning", hours_ago=2)
    make_article("Two days ago", hours_ago=40)
    make_article("Still a draft", draft=True)
    make_article("Scheduled for tonight", hours_ago=-5)

    built = editions.build_edition()

    assert built.created
    assert headlines(built.edition) == ["This morning", "Yesterday morning"]
    assert built.edition.status == Edition.Status.DRAFT
    assert abs(built.edition.cut_off - timezone.now()) < timedelta(seconds=5)


def test_next_edition_starts_where_the_previous_one_stopped():
    make_article("In the first edition", hours_ago=30)
    yesterday = timezone.localdate() - timedelta(days=1)
    first = editions.build_edition(date=yesterday, now=timezone.now() - timedelta(hours=24)).edition
    assert headlines(first) == ["In the first edition"]
    make_article("After the cut-off", hours_ago=23)
    make_article("This morning", hours_ago=1)

    second = editions.build_edition().edition

    assert headlines(second) == ["This morning", "After the cut-off"]
    assert second.cut_off > first.cut_off


def test_building_twice_builds_one_edition():
    make_article("Only story")
    first = editions.build_edition()
    make_article("Published after the build")
    again = editions.build_edition()

    assert first.created and not again.created
    assert again.edition == first.edition and Edition.objects.count() == 1
    # The edition keeps what it was built with (editors may have edited it since).
    assert headlines(again.edition) == ["Only story"]


def test_subject_from_the_date_and_lead_headline():
    make_article("A" * 195)
    edition = editions.build_edition().edition
    today = timezone.localdate()
    assert edition.subject.startswith(f"Newsroom daily, {today.day} {today:%B %Y}: AAA")
    assert len(edition.subject) == 200 and edition.subject.endswith("…")


def test_an_article_unpublished_after_the_build_is_left_out():
    keep = make_article("Stays live")
    pulled = make_article("Pulled for a fix")
    edition = editions.build_edition().edition
    pulled.unpublish()
    pulled.save()

    assert headlines(edition) == [keep.headline]


def test_no_new_articles_builds_and_sends_nothing(capsys):
    make_article("Too old", hours_ago=30)
    audience(confirmed=2)

    out = run(capsys)

    assert "No article published between" in out and "nothing sent" in out
    assert not Edition.objects.exists() and not Delivery.objects.exists()


def test_review_builds_and_stops_for_an_editor(capsys):
    make_article("Lead story")
    audience(confirmed=2)

    out = run(capsys, "--review")

    edition = Edition.objects.get()
    assert edition.status == Edition.Status.DRAFT and not Delivery.objects.exists()
    assert "Built Edition of" in out and "1 articles" in out
    assert f"/admin/newsletter/edition/{edition.pk}/change/" in out
    # Reviewing again opens the same edition.
    assert "exists (draft)" in run(capsys, "--review") and Edition.objects.count() == 1


def test_dry_run_says_what_would_go_out_and_writes_nothing(capsys):
    make_article("First story", hours_ago=3)
    make_article("Second story", hours_ago=1)
    audience(confirmed=3, pending=1)

    out = run(capsys, "--dry-run")

    assert "Would build the edition of" in out
    assert out.index("Second story") < out.index("First story")
    assert "Would send it to 3 confirmed subscribers" in out and "nothing written" in out
    assert not Edition.objects.exists() and not Delivery.objects.exists()


def test_dry_run_of_a_reviewed_draft(capsys):
    make_article("Lead story")
    audience(confirmed=2)
    run(capsys, "--review")

    out = run(capsys, "--dry-run")

    assert "exists (draft)" in out and "Would send it to 2 confirmed subscribers" in out
    assert not Delivery.objects.exists()


def test_missed_day_is_built_up_to_its_end():
    day = timezone.localdate() - timedelta(days=2)
    # Noon that day: "50 hours ago" fell the day before when the test ran before 02:00.
    noon = timezone.make_aware(datetime.combine(day, time(12)))
    make_article("Published the day before yesterday", published_at=noon)
    make_article("Published today", hours_ago=0.1)

    edition = editions.build_edition(date=day).edition

    assert edition.date == day
    assert "Published today" not in headlines(edition)


def test_bad_dates_are_refused_clearly(capsys):
    make_article("Lead story")
    with pytest.raises(CommandError, match="--date wants a day as YYYY-MM-DD, not '26/11/2026'"):
        run(capsys, "--date", "26/11/2026")
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(CommandError, match="is in the future"):
        run(capsys, "--date", tomorrow.isoformat())
    editions.build_edition()
    with pytest.raises(CommandError, match="A later edition exists"):
        run(capsys, "--date", (timezone.localdate() - timedelta(days=3)).isoformat())
    assert Edition.objects.count() == 1


def test_an_edition_without_published_articles_is_not_sent(capsys):
    story = make_article("Only story")
    audience(confirmed=2)
    run(capsys, "--review")
    story.unpublish()
    story.save()

    with pytest.raises(CommandError, match="has no published article to send"):
        run(capsys)
    assert Edition.objects.get().status == Edition.Status.DRAFT
    assert not Delivery.objects.exists()
