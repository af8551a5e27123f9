"""The edition admin: the list with delivery counts, editing a draft, previews under their own
policy, a test copy to the editor only, and "Send now" for editors only."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from django.utils.html import strip_tags

from newsletter import editions
from newsletter.admin import PREVIEW_CSP
from newsletter.models import Delivery, Edition, EditionArticle
from tests.factories import audience, make_article
from tests.readers import flat, parts

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/newsletter/edition/"


def staff(username, group, email=""):
    user = User.objects.create_user(username, email=email, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(client):
    client.force_login(staff("editor", "Editors", email="desk@newsroom.example"))
    return client


@pytest.fixture
def draft():
    make_article("Older story", hours_ago=3)
    make_article("Lead story", hours_ago=1)
    return editions.build_edition().edition


def change_url(edition, suffix="change/"):
    return f"{CHANGELIST}{edition.pk}/{suffix}"


def edition_on(day, status, **fields):
    now = timezone.now()
    extra = {"started_at": now} if status != "draft" else {}
    if status == "sent":
        extra["finished_at"] = now
    return Edition.objects.create(
        date=day, subject=f"Edition {day}", cut_off=now, status=status, **extra, **fields
    )


def table_rows(page):
    """The result list's cells after the checkbox and the date, as text."""
    body = page.split('id="result_list"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    return [[flat(strip_tags(cell)) for cell in row[2:]] for row in cells if row]


def test_editions_list_counts_in_a_fixed_number_of_queries(editor, django_assert_num_queries):
    readers, _ = audience(confirmed=4, pending=0, unsubscribed=0)
    edition_on(date(2026, 11, 20), "sent", recipient_count=900, sent_count=880, failed_count=20)
    sending = edition_on(date(2026, 11, 21), "sending", recipient_count=4)
    statuses = ["sent", "sent", "queued", "failed"]
    for reader, status in zip(readers, statuses, strict=True):
        Delivery.objects.create(
            edition=sending, subscriber=reader, status=status, sent_at=timezone.now()
        )
    edition_on(date(2026, 11, 22), "draft")

    # Session, user, permissions (2), the count, the rows with their counts, date hierarchy (2).
    with django_assert_num_queries(8):
        response = editor.get(CHANGELIST)
    rows = table_rows(response.content.decode())
    # Subject, status, recipients, sent, pending, failed.
    assert ["Edition 2026-11-22", "Draft", "-", "-", "-", "-"] in rows
    assert ["Edition 2026-11-21", "Sending", "4", "2", "1", "1"] in rows
    assert ["Edition 2026-11-20", "Sent", "900", "880", "0", "20"] in rows

    for n in range(5):
        edition_on(date(2026, 10, 1) + timedelta(days=n), "sent", recipient_count=1, sent_count=1)
    with django_assert_num_queries(8):
        editor.get(CHANGELIST)


def inline_data(edition, rows, **fields):
    data = {
        "subject": fields.get("subject", edition.subject),
        "intro": fields.get("intro", edition.intro),
        "article_links-TOTAL_FORMS": str(len(rows)),
        "article_links-INITIAL_FORMS": str(sum(1 for link, *_ in rows if link)),
        "article_links-MIN_NUM_FORMS": "0",
        "article_links-MAX_NUM_FORMS": "1000",
    }
    for i, (link, article_pk, position) in enumerate(rows):
        data.update(
            {
                f"article_links-{i}-id": str(link.pk) if link else "",
                f"article_links-{i}-edition": str(edition.pk),
                f"article_links-{i}-article": str(article_pk),
                f"article_links-{i}-position": str(position),
            }
        )
    return data


def test_editor_edits_subject_intro_and_order(editor, draft):
    older, lead = draft.article_links.order_by("-position")
    added = make_article("Added by hand", hours_ago=30)
    data = inline_data(
        draft,
        [(older, older.article_id, 0), (lead, lead.article_id, 1), (None, added.pk, 2)],
        subject="Your Tuesday briefing",
        intro="**Three** stories.",
    )

    response = editor.post(change_url(draft), data)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.subject, draft.intro) == ("Your Tuesday briefing", "**Three** stories.")
    order = [link.article.headline for link in draft.article_links.select_related("article")]
    assert order == ["Older story", "Lead story", "Added by hand"]


def test_a_draft_article_is_refused_and_nothing_is_saved(editor, draft):
    (first, second) = draft.article_links.all()
    unpublished = make_article("Not out yet", draft=True)
    data = inline_data(
        draft,
        [(first, first.article_id, 0), (second, second.article_id, 1), (None, unpublished.pk, 2)],
        subject="Changed subject",
    )

    response = editor.post(change_url(draft), data)

    assert response.status_code == 200
    assert "Only published articles can go out" in response.content.decode()
    assert 'value="Changed subject"' in response.content.decode()  # what was typed stays
    draft.refresh_from_db()
    assert draft.subject != "Changed subject" and EditionArticle.objects.count() == 2


def test_previews_render_in_the_browser_under_their_own_policy(editor, draft, client):
    html = editor.get(change_url(draft, "preview.html"))
    text = editor.get(change_url(draft, "preview.txt"))

    assert html.status_code == text.status_code == 200
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    for response in (html, text):
        assert response["Content-Security-Policy"] == PREVIEW_CSP
        assert "no-store" in response["Cache-Control"]
    assert "sandbox" in PREVIEW_CSP and "script" not in PREVIEW_CSP
    assert "Lead story" in flat(html.content.decode()) and "Lead story" in text.content.decode()
    assert "<table" in html.content.decode() and "<table" not in text.content.decode()

    client.logout()
    assert client.get(change_url(draft, "preview.html")).status_code == 302


def test_writers_may_look_but_not_send(client, draft):
    client.force_login(staff("writer", "Writers"))
    page = client.get(change_url(draft))
    assert page.status_code == 200 and "Send now" not in page.content.decode()
    assert client.get(change_url(draft, "preview.html")).status_code == 200
    assert client.get(change_url(draft, "send/")).status_code == 403
    assert client.post(change_url(draft, "send/")).status_code == 403
    assert Edition.objects.get().status == Edition.Status.DRAFT


def test_send_a_test_goes_to_the_editor_only(
    editor, draft, smtp_mailer, django_capture_on_commit_callbacks
):
    audience(confirmed=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(change_url(draft, "send-test/"), follow=True)

    assert "on its way to desk@newsroom.example" in response.content.decode()
    (message,) = smtp_mailer.wait_for(1)
    assert smtp_mailer.envelopes == [["desk@newsroom.example"]]
    assert message["Subject"] == f"[Test] {draft.subject}"
    assert "Lead story" in flat(parts(message)[0])
    assert not Delivery.objects.exists() and Edition.objects.get().status == "draft"


def test_send_a_test_without_an_address_says_so(client, draft, smtp_mailer):
    client.force_login(staff("nomail", "Editors"))
    response = client.post(change_url(draft, "send-test/"), follow=True)
    assert "Your account has no email address, so no test was sent" in response.content.decode()
    assert client.get(change_url(draft, "send-test/")).status_code == 405
    assert smtp_mailer.messages == []


def test_send_now_asks_then_sends_to_every_confirmed_subscriber(
    editor, draft, smtp_mailer, django_capture_on_commit_callbacks
):
    readers, others = audience(confirmed=3, pending=1, unsubscribed=1)
    page = editor.get(change_url(draft))
    assert f'href="{change_url(draft, "send/")}"' in page.content.decode()

    confirm = editor.get(change_url(draft, "send/"))
    assert "goes to <strong>3 confirmed subscribers</strong>" in confirm.content.decode()
    assert not Delivery.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(change_url(draft, "send/"), follow=True)

    assert "Sending started: 3 subscribers queued" in response.content.decode()
    smtp_mailer.wait_for(3)
    assert sorted(a for e in smtp_mailer.envelopes for a in e) == sorted(r.email for r in readers)
    edition = Edition.objects.get()
    assert edition.status == Edition.Status.SENT and edition.sent_count == 3
    # Sent is final: the page is read-only and "Send now" is gone.
    page = editor.get(change_url(draft)).content.decode()
    assert 'name="_save"' not in page and "Send now" not in page
    assert "3 recipients: 3 sent, 0 pending, 0 failed, 0 skipped" in flat(page)
    again = editor.post(change_url(draft, "send/"), follow=True)
    assert "is already sent" in again.content.decode() and len(smtp_mailer.messages) == 3


def test_build_today_button(editor):
    nothing = editor.post(f"{CHANGELIST}build-today/", follow=True)
    assert "nothing to build today" in nothing.content.decode()
    make_article("Fresh story")

    built = editor.post(f"{CHANGELIST}build-today/")
    again = editor.post(f"{CHANGELIST}build-today/")

    edition = Edition.objects.get()
    assert built.status_code == again.status_code == 302
    assert built["Location"] == again["Location"] == change_url(edition)
    assert editor.get(f"{CHANGELIST}build-today/").status_code == 405
