"""Stored XSS payloads in every editor field, opened in Chromium: no dialog, no CSP report."""

import pytest

from tests.test_hostile_input import HOSTILE, PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hostile_article(transactional_db):
    from articles.models import Author, Topic
    from tests.test_articles_factories import make_article

    author = Author.objects.create(name=f"Ann {PAYLOADS[1]}", slug="ann", bio=HOSTILE)
    topic = Topic.objects.create(name=f"Chips {PAYLOADS[0]}", slug="chips", description=HOSTILE)
    article = make_article(
        f"Headline {PAYLOADS[8]}",
        dek=f"Dek {PAYLOADS[7]}",
        summary=HOSTILE,
        take=f"🤔 {PAYLOADS[0]}",
        authors=[author],
        topics=[topic],
        sections=0,
    )
    article.sections.create(
        position=1, lead_in=f"Lead-in {PAYLOADS[1]}", text=HOSTILE, bullets="\n".join(PAYLOADS)
    )
    return article


def test_hostile_content_runs_nothing_in_the_browser(page, live_server, hostile_article):
    dialogs, console = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: console.append(message.text))
    for path in (
        hostile_article.get_absolute_url(),
        "/",
        "/topics/chips/",
        "/authors/ann/",
        "/search/?q=headline",
    ):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        for link in page.locator("main a").all()[:40]:
            href = link.get_attribute("href") or ""
            assert not href.strip().lower().startswith(("javascript:", "data:")), href
    assert dialogs == []
    violations = [text for text in console if "Content Security Policy" in text]
    assert violations == [], violations
