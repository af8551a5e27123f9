"""The signup in Chromium: the keyboard reaches the field and the button but never the
honeypot, a same-origin post is accepted with the browser's real headers, and a form on
another site is refused."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from newsletter import tokens
from newsletter.models import ConsentRecord, Subscriber

# tests/conftest.py's live server serves hashed static files through WhiteNoise, as production
# does, so the pages are checked with their stylesheet.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}}


def assert_no_axe_violations(page, label):
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"


def focused(page):
    return page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")


def test_keyboard_signup_from_the_signup_page(live_server, page, mailoutbox):
    page.goto(f"{live_server.url}/newsletter/subscribe/")
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(focused(page))
        if reached[-1] == "page-email":
            break
    assert "page-email" in reached
    assert not any("website" in element for element in reached)
    assert page.locator("#page-website").is_hidden()
    page.keyboard.type("keys@example.com")
    page.keyboard.press("Tab")
    assert focused(page) == "Join Now"  # the honeypot between them is skipped
    page.keyboard.press("Enter")
    page.wait_for_url("**/newsletter/check-your-inbox/")
    assert page.locator("h1").inner_text() == "Check your inbox to confirm"
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "keys@example.com"
    assert ConsentRecord.objects.get().source == "/newsletter/subscribe/"
    assert [m.to for m in mailoutbox] == [["keys@example.com"]]


def test_a_form_on_another_site_is_refused(live_server, page):
    attacker = (
        f'<form method="post" action="{live_server.url}/newsletter/subscribe/">'
        '<input name="email" value="victim@example.com"><button>Win a prize</button></form>'
    )
    page.route(
        "http://attacker.test/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=attacker),
    )
    page.goto("http://attacker.test/prize")
    with page.expect_response(f"{live_server.url}/newsletter/subscribe/") as answer:
        page.click("text=Win a prize")
    assert answer.value.status == 403
    assert page.locator("h1").inner_text() == "We couldn't accept that form"
    assert not Subscriber.objects.exists()


def test_signup_states_have_no_axe_violations(live_server, page):
    subscriber = Subscriber.objects.create(email="states@example.com")
    confirm = f"/newsletter/confirm/{tokens.confirm_token(subscriber)}/"
    unsubscribe = f"/newsletter/unsubscribe/{tokens.unsubscribe_token(subscriber)}/"
    page.goto(f"{live_server.url}/newsletter/subscribe/")
    page.fill("#page-email", "no-at-sign")
    page.eval_on_selector("#page-email", "e => e.type = 'text'")  # past the browser's own check
    page.click("#page-email ~ button")
    assert page.locator("#page-error").is_visible()
    assert page.locator("#page-email").input_value() == "no-at-sign"
    assert_no_axe_violations(page, "form error")
    for label, path in [
        ("check your inbox", "/newsletter/check-your-inbox/"),
        ("confirm", confirm),
        ("expired or forged link", "/newsletter/confirm/forged/"),
        ("unsubscribe", unsubscribe),
    ]:
        page.goto(live_server.url + path)
        assert_no_axe_violations(page, label)
    page.goto(live_server.url + confirm)
    page.click("text=Confirm subscription")
    assert page.locator("h1").inner_text() == "You're subscribed"
    assert_no_axe_violations(page, "confirmed")
    page.goto(live_server.url + unsubscribe)
    page.click("button:text-is('Unsubscribe')")
    assert page.locator("h1").inner_text() == "You're unsubscribed"
    assert_no_axe_violations(page, "unsubscribed")
