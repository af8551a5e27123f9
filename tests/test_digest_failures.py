"""Issue 14.5, the edition side: a subject is one line, refused with a form error otherwise;
and a failure while sending leaves the edition where an editor sees it and can retry, never
stuck in `sending` (through the admin, the inline task backend and the SMTP test server)."""

import time

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError

from articles.models import Article
from newsletter import editions
from newsletter.models import Edition
from tests.factories import audience, make_article
from tests.readers import flat

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/newsletter/edition/"


@pytest.fixture
def editor(client):
    user = User.objects.create_user(
        "editor", email="desk@newsroom.example", password="x", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return client


@pytest.fixture
def draft():
    make_article("Lead story", hours_ago=1)
    return editions.build_edition().edition


def url(edition, suffix="change/"):
    return f"{CHANGELIST}{edition.pk}/{suffix}"


@pytest.mark.django_db(transaction=True)
def test_send_now_with_a_broken_subject_fails_visibly_and_can_be_retried(
    editor, draft, smtp_mailer
):
    """A subject saved before line breaks were refused (or by any other way round the form).
    Committed for real, so the inline task backend runs the workers inside the request."""
    audience(confirmed=2)
    Edition.objects.filter(pk=draft.pk).update(subject="Lead\r\nBcc: everyone@example.net")

    started = time.monotonic()
    response = editor.post(url(draft, "send/"), follow=True)

    # Before: the second inline worker waited out the first one's claim (~100 s here), and
    # gunicorn killed the request; the edition stayed `sending` with nobody sending it.
    assert time.monotonic() - started < 10
    assert response.status_code == 200
    assert "Sending stopped: ValueError" in response.content.decode()
    edition = Edition.objects.get()
    assert edition.status == Edition.Status.DRAFT
    assert "line" in edition.last_error
    page = flat(editor.get(url(draft)).content.decode())
    assert "Sending stopped" in page and edition.last_error in page
    assert smtp_mailer.messages == []

    Edition.objects.filter(pk=draft.pk).update(subject="Lead story, mended")
    response = editor.post(url(draft, "send/"), follow=True)
    assert "Sending started: 2 subscribers queued" in response.content.decode()
    smtp_mailer.wait_for(2)
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT and edition.sent_count == 2
    assert edition.last_error == ""


def test_a_subject_with_a_line_break_is_refused_with_a_form_error(editor, draft):
    links = list(draft.article_links.all())
    data = {
        "subject": "Lead story\r\nBcc: everyone@example.net",
        "intro": "",
        "article_links-TOTAL_FORMS": str(len(links)),
        "article_links-INITIAL_FORMS": str(len(links)),
        "article_links-MIN_NUM_FORMS": "0",
        "article_links-MAX_NUM_FORMS": "1000",
    }
    for i, link in enumerate(links):
        data |= {
            f"article_links-{i}-id": str(link.pk),
            f"article_links-{i}-edition": str(draft.pk),
            f"article_links-{i}-article": str(link.article_id),
            f"article_links-{i}-position": str(link.position),
        }
    response = editor.post(url(draft), data)
    assert response.status_code == 200
    assert "Keep this on one line: remove the line break." in response.content.decode()
    assert Edition.objects.get().subject == draft.subject
    with pytest.raises(ValidationError) as refused:
        Edition(date=draft.date, subject="One\u2028two", cut_off=draft.cut_off).full_clean(
            exclude=["date"]
        )
    assert refused.value.error_dict["subject"][0].code == "line_break"


def test_a_headline_with_a_line_break_never_reaches_a_subject():
    """Rows saved before headlines were refused line breaks still make a one-line subject."""
    story = make_article("Lead story", hours_ago=1)
    Article.objects.filter(pk=story.pk).update(headline="Lead\r\nstory")
    edition = editions.build_edition().edition
    assert edition.subject.endswith(": Lead story")
