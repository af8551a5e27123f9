"""The next daily digest lists the articles corrected since the previous edition, and shows
each carried article's lead image small; checked in the email as it arrives over SMTP."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import corrections, images
from articles.models import Correction
from newsletter import editions
from newsletter.content import digest_content, render_bodies
from newsletter.delivery import run_worker
from newsletter.models import Edition
from tests import factories
from tests.factories import make_article, make_subscriber, picture_bytes, upload
from tests.readers import flat, parts

pytestmark = pytest.mark.django_db
media = pytest.fixture(factories.media_folder, name="media")


def yesterdays_edition(cut_off_hours_ago):
    """The previous edition, already sent, with its cut-off `cut_off_hours_ago` hours back."""
    now = timezone.now()
    return Edition.objects.create(
        date=timezone.localdate(now) - timedelta(days=1),
        subject="Yesterday",
        cut_off=now - timedelta(hours=cut_off_hours_ago),
        status=Edition.Status.SENT,
        started_at=now,
        finished_at=now,
    )


def correct(story, text, *, hours_ago, kind=Correction.Kind.CORRECTION, dated_hours_ago=None):
    """A correction made `hours_ago` hours back (and dated then, or `dated_hours_ago`)."""
    made = timezone.now() - timedelta(hours=hours_ago)
    dated = made if dated_hours_ago is None else timezone.now() - timedelta(hours=dated_hours_ago)
    correction = corrections.correction_publish(
        article=story, text=text, kind=kind, published_at=dated
    )
    Correction.objects.filter(pk=correction.pk).update(created_at=made)
    return correction


def test_the_next_edition_lists_corrections_since_the_previous_one(smtp_mailer):
    yesterdays_edition(cut_off_hours_ago=10)
    old = make_article("Chipmaker doubles output", hours_ago=30)
    older = make_article("Startup raises a round", hours_ago=40)
    correct(old, "The plant is in **Dresden**, not Leipzig.", hours_ago=3)
    correct(old, "The company confirmed the date.", hours_ago=2, kind=Correction.Kind.UPDATE)
    correct(older, "Fixed before the last edition went out.", hours_ago=12)
    backdated = make_article("Backdated story", hours_ago=50)
    correct(backdated, "Made today, dated two days back.", hours_ago=1, dated_hours_ago=48)
    fresh = make_article("Today's news", hours_ago=1)
    correct(fresh, "A typo in today's story.", hours_ago=0.5)
    make_subscriber("reader@example.com")

    edition = editions.build_edition().edition
    assert [a.headline for a in edition.articles.all()] == ["Today's news"]
    editions.send_edition(edition_id=edition.pk, workers=0)
    run_worker(edition.pk)
    text, html = parts(smtp_mailer.wait_for(1)[0])

    for body in (flat(text), flat(html)):
        assert "Chipmaker doubles output" in body
        assert "Made today, dated two days back." in body
        assert "Startup raises a round" not in body  # corrected before the previous cut-off
        assert "A typo in today's story." not in body  # carried anyway, as it now reads
    assert "CORRECTIONS" in text
    assert "http://testserver/news/chipmaker-doubles-output/#corrections" in text
    correction_day = timezone.localtime(timezone.now() - timedelta(hours=3))
    assert f"Correction, {correction_day.day} {correction_day:%B}: The plant is in Dresden" in flat(
        text
    )
    assert "Update, " in flat(text) and "The company confirmed the date." in flat(text)
    assert ">Corrections</h2>" in html
    assert "<strong>Dresden</strong>" in html
    assert 'href="http://testserver/news/chipmaker-doubles-output/#corrections"' in html
    assert flat(text).index("Today's news") < flat(text).index("CORRECTIONS")


def test_no_corrections_section_without_corrections(smtp_mailer):
    yesterdays_edition(cut_off_hours_ago=10)
    make_article("Quiet day story", hours_ago=1)
    edition = editions.build_edition().edition
    content = digest_content(edition)
    assert content.corrections == []
    text, html = render_bodies(content, unsubscribe_url="http://testserver/u/")
    assert "CORRECTIONS" not in text and ">Corrections</h2>" not in html


def test_the_first_edition_looks_back_a_day(smtp_mailer):
    story = make_article("Story from this morning", hours_ago=20)
    correct(story, "Corrected this afternoon.", hours_ago=2)
    make_article("Evening story", hours_ago=1)
    content = digest_content(editions.build_edition().edition)
    # Both stories are new for a first edition, so each is carried as it now reads.
    assert content.corrections == []
    yesterday_only = make_article("Two days old", hours_ago=50)
    correct(yesterday_only, "Late fix.", hours_ago=3)
    content = digest_content(Edition.objects.get())
    assert [c.headline for c in content.corrections] == ["Two days old"]


def test_carried_articles_show_their_lead_image_small(smtp_mailer, media):
    story = make_article("Pictured story", hours_ago=1)
    story.lead_image = images.store_lead_image(
        images.accept_upload(upload("p.jpg", picture_bytes(size=(1600, 900))))
    )
    story.lead_image_alt = "A yellow disc on blue."
    story.save()
    make_subscriber("reader@example.com")
    edition = editions.build_edition().edition
    editions.send_edition(edition_id=edition.pk, workers=0)
    run_worker(edition.pk)
    _, html = parts(smtp_mailer.wait_for(1)[0])
    small = images.picture(story.lead_image, images.SMALL)
    assert f'src="http://testserver{small.url}"' in flat(html)
    assert f'width="{small.width}" height="{small.height}"' in flat(html)
    assert 'alt="A yellow disc on blue."' in flat(html)
