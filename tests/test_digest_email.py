"""The digest email as it arrives through a real SMTP server: headers, both parts carrying the
same articles with absolute links, a footer with the postal address and a working one-click
unsubscribe link; the fast per-recipient fill-in matches a message composed whole."""

import email
import email.policy
import re
import time
from email.utils import parsedate_to_datetime

import pytest
from django.test import Client
from django.utils import timezone

from newsletter import editions, tokens
from newsletter.content import digest_content, wrap_html
from newsletter.delivery import run_worker
from newsletter.digest import DigestComposer, compose_digest, unsubscribe_link
from newsletter.models import Subscriber
from tests.factories import audience, make_article, make_subscriber
from tests.readers import UNSUBSCRIBE, flat, parts

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories():
    return [
        make_article(
            "Lab ships a model that reads charts",
            hours_ago=3,
            authors=("Ada Reporter", "Ben Analyst"),
            summary="It reads **bar charts** and [tables](/topics/research/) aloud.",
            take="🧪 Useful, if it keeps its numbers straight.",
        ),
        make_article(
            "Regulators publish a draft code",
            hours_ago=2,
            authors=("Cleo Policy",),
            sections=[("What changes", "Labs must *log* training runs.", ["Fines are capped."])],
        ),
        make_article("Chipmaker raises prices again", hours_ago=1, authors=("Dev Markets",)),
    ]


def sent_edition(**edition_fields):
    edition = editions.build_edition().edition
    for name, value in edition_fields.items():
        setattr(edition, name, value)
    edition.save()
    editions.send_edition(edition_id=edition.pk, workers=0)
    run_worker(edition.pk)
    return edition


def test_headers_as_they_arrive(stories, smtp_mailer):
    readers, _ = audience(confirmed=3)
    started = timezone.now().replace(microsecond=0)
    edition = sent_edition()

    messages = smtp_mailer.wait_for(3)
    ids = set()
    for message, envelope in zip(messages, smtp_mailer.envelopes, strict=True):
        (address,) = envelope
        reader = Subscriber.objects.get(email=address)
        raw = dict(message.raw_items())
        assert message["To"] == address
        assert message["From"] == "Newsroom <newsletter@localhost>"
        assert message["Subject"] == edition.subject
        assert edition.subject.startswith("Newsroom daily, ")
        assert edition.subject.endswith(": Chipmaker raises prices again")
        # One-click unsubscribe, on one plain line, with this reader's own token.
        token = tokens.unsubscribe_token(reader)
        assert raw["List-Unsubscribe"] == f"<http://testserver/newsletter/unsubscribe/{token}/>"
        assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert raw["List-Id"] == "Newsroom daily <daily.testserver>"
        assert re.fullmatch(r"<digest\.\d+\.\d+\.\d+@testserver>", message["Message-ID"])
        ids.add(message["Message-ID"])
        sent_at = parsedate_to_datetime(message["Date"])
        assert started <= sent_at <= timezone.now()
    assert len(ids) == 3


def test_both_parts_carry_every_article(stories, smtp_mailer):
    audience(confirmed=1)
    sent_edition()
    (message,) = smtp_mailer.wait_for(1)
    raw_text, raw_html = parts(message)
    text, html = flat(raw_text), flat(raw_html)

    for story in stories:
        url = f"http://testserver/news/{story.slug}/"
        assert story.headline in text and story.headline in html
        assert url in text and f'href="{url}"' in html
        for section in story.sections.all():
            assert f"{section.lead_in}:" in text and f"<strong>{section.lead_in}:</strong>" in html
    # Newest first, as published.
    order = [text.index(s.headline) for s in reversed(stories)]
    assert order == sorted(order)
    assert "By Ada Reporter and Ben Analyst" in text and "By Ada Reporter and Ben Analyst" in html
    # Inline Markdown: emphasis kept in HTML, links made absolute in both parts.
    assert "<strong>bar charts</strong>" in html and "It reads bar charts and tables" in text
    assert 'href="http://testserver/topics/research/"' in html
    assert "tables (http://testserver/topics/research/)" in text
    assert "Labs must <em>log</em> training runs." in html
    assert "\n  - Fines are capped.\r\n" in raw_text and ">Fines are capped.</li>" in html
    assert "🧪 Useful, if it keeps its numbers straight." in text
    # Email-safe HTML: tables and inline styles, nothing fetched or run, every link absolute.
    assert '<table role="presentation"' in html and 'style="' in html
    for forbidden in ("<script", "<link", "<style", "<img", "<iframe", "<form"):
        assert forbidden not in html.lower()
    assert all(
        href.startswith(("http://", "https://")) for href in re.findall(r'href="([^"]*)"', html)
    )
    # The footer: why, where from, how to leave.
    for part in (text, html):
        assert "you subscribed to the Newsroom daily newsletter" in part
        assert "Newsroom, 1 Example Street, Springfield" in part
    assert max(len(line) for line in raw_text.splitlines()) <= 100


def test_unsubscribe_link_in_the_received_email_works(stories, smtp_mailer):
    readers, _ = audience(confirmed=2)
    sent_edition()
    message = smtp_mailer.to(readers[0].email)[0]
    text, html = parts(message)
    header = dict(message.raw_items())["List-Unsubscribe"]
    (path,) = set(UNSUBSCRIBE.findall(text))
    assert header == f"<http://testserver{path}>"
    assert f'href="http://testserver{path}"' in html

    # What a mail provider does with List-Unsubscribe-Post: a POST, no cookie, no token.
    response = Client(enforce_csrf_checks=True).post(
        path, {"List-Unsubscribe": "One-Click"}, headers={"Origin": "https://mail.example"}
    )

    assert response.status_code == 200
    readers[0].refresh_from_db()
    readers[1].refresh_from_db()
    assert readers[0].status == Subscriber.Status.UNSUBSCRIBED
    assert readers[1].status == Subscriber.Status.CONFIRMED


def test_intro_renders_inline_markdown_and_escapes_the_rest(stories, smtp_mailer):
    audience(confirmed=1)
    intro = (
        "**A busy day.** Three stories <script>alert(1)</script> and a "
        "[correction](https://example.org/fix).\n\nSecond paragraph."
    )
    sent_edition(intro=intro)
    raw_text, raw_html = parts(smtp_mailer.wait_for(1)[0])
    text, html = flat(raw_text), flat(raw_html)

    assert "<strong>A busy day.</strong>" in html
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://example.org/fix"' in html
    assert html.count('<p style="margin:0 0 16px;">') >= 2
    assert "A busy day. Three stories <script>alert(1)</script> and a correction" in text
    assert "(https://example.org/fix)." in text and "\r\n\r\nSecond paragraph." in raw_text


def _parsed(data):
    return email.message_from_bytes(data, policy=email.policy.default)


def test_prepared_message_is_the_message_composed_whole(stories):
    reader = make_subscriber("reader@example.com")
    edition = editions.build_edition().edition
    composer = DigestComposer(edition)
    assert composer.prepared is not None

    fast = _parsed(
        composer.message_for(
            address=reader.email, subscriber=reader, message_id_value="<one@testserver>"
        )
        .message()
        .as_bytes()
    )
    whole = _parsed(
        compose_digest(
            digest_content(edition),
            to=reader.email,
            unsubscribe_url=unsubscribe_link(tokens.unsubscribe_token(reader)),
            message_id_value="<one@testserver>",
        )
        .message()
        .as_bytes()
    )

    for name in ("From", "To", "Subject", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"):
        assert fast[name] == whole[name], name
    assert fast["Message-ID"] == "<one@testserver>"
    assert abs(parsedate_to_datetime(fast["Date"]) - timezone.now()).total_seconds() < 5
    # Same words; only the line endings differ (8bit keeps CRLF, a decoded part has LF).
    assert [p.replace("\r\n", "\n") for p in parts(fast)] == list(parts(whole))
    assert fast.get_body(("plain",))["Content-Transfer-Encoding"] == "8bit"


def test_unbreakable_long_line_falls_back_to_whole_composition(smtp_mailer):
    make_article("A story with a very long word", summary="x" * 1200)
    audience(confirmed=2)
    edition = editions.build_edition().edition
    assert DigestComposer(edition).prepared is None

    sent_edition()

    messages = smtp_mailer.wait_for(2)
    for message in messages:
        text, html = parts(message)
        assert "x" * 1200 in text and "x" * 1200 in html
        token_path = UNSUBSCRIBE.findall(text)[0]
        assert dict(message.raw_items())["List-Unsubscribe"] == f"<http://testserver{token_path}>"


def test_international_address_and_text(smtp_mailer):
    make_article("Zürich lab’s model 🚀 tops the board")
    make_subscriber("leser@bücher.example")
    make_subscriber("plain@example.com")
    sent_edition()

    smtp_mailer.wait_for(2)
    time.sleep(0.1)
    assert sorted(a for e in smtp_mailer.envelopes for a in e) == [
        "leser@xn--bcher-kva.example",
        "plain@example.com",
    ]
    for message in smtp_mailer.messages:
        assert message["Subject"].endswith("Zürich lab’s model 🚀 tops the board")
        assert "Zürich lab’s model 🚀 tops the board" in flat(parts(message)[0])


def test_html_lines_are_wrapped_only_where_html_ignores_it():
    line = '<p style="margin:0 0 6px; color:#111"><a href="https://x.example/a b">' + "word " * 40
    wrapped = wrap_html(line, width=30)
    rows = wrapped.splitlines()
    assert " ".join(rows).rstrip() == line.rstrip()
    # Never inside a quoted value: each line opens and closes its quotes.
    assert all(row.count('"') % 2 == 0 for row in rows)
    assert 'style="margin:0 0 6px; color:#111"><a' in wrapped
    assert 'href="https://x.example/a b">word' in wrapped
    assert len(rows) > 5 and max(len(row) for row in rows) <= 60
