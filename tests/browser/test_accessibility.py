"""WCAG 2.2 AA in Chromium: axe-core finds nothing on any public page or signup state, in light
and dark mode, and each page has the landmarks, single h1 and skip link readers rely on."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from newsletter import tokens
from newsletter.models import Subscriber
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

READER_PAGES = [
    "home",
    "article",
    "topic",
    "topics",
    "author",
    "search-form",
    "search-results",
    "search-no-results",
    "corrections",
    "preview-unavailable",
    "not-found",
]


def reader_path(name, articles):
    article = articles[0]
    word = article.headline.split()[0]
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "topic": article.topics.all()[0].get_absolute_url(),
        "topics": reverse("articles:topics"),
        "author": article.byline_authors[0].get_absolute_url(),
        "search-form": reverse("articles:search"),
        "search-results": f"{reverse('articles:search')}?q={word}",
        "search-no-results": f"{reverse('articles:search')}?q=xylophonequartz",
        "corrections": reverse("articles:corrections"),
        "preview-unavailable": reverse("articles:preview", args=["no-such-link"]),
        "not-found": "/no-such-page/",
    }[name]


def assert_page_structure(page):
    """One h1, the five landmarks (article pages add <article>), a working skip link."""
    assert page.locator("h1").count() == 1
    for role in ("banner", "navigation", "main", "contentinfo"):
        assert page.get_by_role(role).count() >= 1, role
    assert page.locator("main#content").count() == 1
    # No inline styles anywhere: the CSP forbids them, so they would silently not apply.
    assert page.locator("[style], style").count() == 0
    # Readers and subscribers need no JavaScript; JSON-LD is data, not a script that runs.
    assert page.locator('script:not([type="application/ld+json"])').count() == 0
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to content"
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["width"] >= 24 and box["height"] >= 24
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


@pytest.mark.parametrize("name", READER_PAGES)
def test_reader_page_is_accessible(live_server, page, newsroom, name):
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Security Policy" in m.text else 0)
    response = page.goto(live_server.url + reader_path(name, newsroom))
    assert response.status == {"not-found": 404, "preview-unavailable": 404}.get(name, 200)
    if name == "article":
        assert page.locator("main article").count() == 1
        assert page.locator(".lead-image img").evaluate(
            "img => img.complete && img.naturalWidth > 0"
        )
        assert page.locator(".corrections .correction").count() == 1
    if name == "search-results":
        assert page.locator(".search-results .story").count() >= 1
        assert page.locator(".search-results mark").count() >= 1
    if name == "search-no-results":
        assert page.locator(".search-results .story").count() == 0
    assert_accessible(page, name)
    assert_page_structure(page)
    assert csp_errors == []


def pitch_field(page):
    return page.locator("footer .pitch input[type=email]")


def test_signup_error_is_tied_to_its_field(live_server, page, newsroom):
    page.goto(live_server.url + "/")
    # Browsers accept an address without a dot in the domain; the newsroom does not.
    pitch_field(page).fill("reader@newsroom")
    page.locator("footer .pitch").get_by_role("button", name="Join Now").click()
    field = page.locator("input[aria-invalid=true]")
    expect(field).to_have_count(1)
    assert field.input_value() == "reader@newsroom"  # nothing the reader typed is lost
    error = page.locator("#" + field.get_attribute("aria-describedby"))
    assert "complete email address" in error.inner_text()
    expect(page.locator("h1")).to_have_text("Join the daily newsletter")
    assert_accessible(page, "signup form error")
    assert_page_structure(page)


def test_every_signup_state_is_accessible(live_server, page, newsroom, smtp_mailer):
    page.goto(live_server.url + "/")
    pitch_field(page).fill("states@example.com")
    page.locator("footer .pitch").get_by_role("button", name="Join Now").click()
    page.wait_for_url("**/check-your-inbox/")
    assert_accessible(page, "check your inbox")
    assert_page_structure(page)

    subscriber = Subscriber.objects.get(email="states@example.com")
    page.goto(
        live_server.url + reverse("newsletter:confirm", args=[tokens.confirm_token(subscriber)])
    )
    assert page.get_by_role("button", name="Confirm subscription").is_visible()
    assert_accessible(page, "confirm page")
    assert_page_structure(page)

    page.get_by_role("button", name="Confirm subscription").click()
    expect(page.locator("h1")).to_have_text("You're subscribed")
    assert_accessible(page, "confirmed")

    unsubscribe = reverse("newsletter:unsubscribe", args=[tokens.unsubscribe_token(subscriber)])
    page.goto(live_server.url + unsubscribe)
    assert_accessible(page, "unsubscribe page")
    assert_page_structure(page)

    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("h1")).to_have_text("You're unsubscribed")
    assert_accessible(page, "unsubscribed")

    page.goto(live_server.url + reverse("newsletter:confirm", args=["not-a-real-token"]))
    assert_accessible(page, "broken confirmation link")


@pytest.mark.urls("tests.urls_errors")
def test_server_error_page_is_accessible(live_server, page, transactional_db):
    response = page.goto(live_server.url + "/broken/")
    assert response.status == 500
    expect(page.locator("h1")).to_have_text("Something went wrong on our side")
    assert page.evaluate("getComputedStyle(document.body).borderTopStyle") == "solid"
    assert_accessible(page, "server error")
