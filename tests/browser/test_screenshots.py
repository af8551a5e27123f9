"""Screenshots of the pages people judge the site by, at a phone width and a desktop width, in
light and dark mode, saved under test-artifacts/screenshots/ for a person to look at."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from playwright.sync_api import expect

from newsletter import tokens
from newsletter.models import Subscriber
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import fill_new_article

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n"


def assert_saved(paths, count):
    assert len(paths) == count
    for path in paths:
        assert path.read_bytes().startswith(PNG), path


def test_screenshots_of_home_and_article(live_server, page, newsroom):
    page.goto(live_server.url + "/")
    assert_saved(screenshot(page, "home"), 4)
    page.goto(live_server.url + newsroom[0].get_absolute_url())
    assert_saved(screenshot(page, "article"), 4)


def test_screenshots_of_signup_states(live_server, page, newsroom, smtp_mailer):
    page.goto(live_server.url + "/newsletter/subscribe/")
    field = page.locator("main .pitch input[type=email]")
    field.fill("reader@newsroom")
    field.press("Enter")
    expect(page.locator("input[aria-invalid=true]")).to_have_count(1)
    assert_saved(screenshot(page, "signup-error"), 4)

    page.locator("input[aria-invalid=true]").fill("reader@example.com")
    page.locator("input[aria-invalid=true]").press("Enter")
    expect(page.locator("h1")).to_have_text("Check your inbox to confirm")
    assert_saved(screenshot(page, "signup-check-inbox"), 4)

    subscriber = Subscriber.objects.get(email="reader@example.com")
    page.goto(
        live_server.url + reverse("newsletter:confirm", args=[tokens.confirm_token(subscriber)])
    )
    assert_saved(screenshot(page, "signup-confirm"), 4)
    page.get_by_role("button", name="Confirm subscription").click()
    expect(page.locator("h1")).to_have_text("You're subscribed")
    assert_saved(screenshot(page, "signup-confirmed"), 4)


def test_screenshots_of_the_admin_article_form(live_server, page, newsroom):
    user = User.objects.create_user("lens", password="a-long-admin-password-9", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    page.goto(live_server.url + "/admin/login/")
    assert_saved(screenshot(page, "admin-login", full_page=False), 4)
    page.fill("#id_username", "lens")
    page.fill("#id_password", "a-long-admin-password-9")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="View site")).to_have_count(1)
    page.goto(live_server.url + "/admin/articles/article/add/")
    fill_new_article(page)
    assert_saved(screenshot(page, "admin-article-form"), 4)
