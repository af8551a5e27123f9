"""Stored XSS payloads in every editor field, opened in Chromium: no dialog, no CSP report."""

import pytest

from tests.test_hostile_input import build_hostile_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hostile_article(transactional_db):
    return build_hostile_article()


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
