"""Signing up under `make run`, as a newcomer does it: Chromium against `manage.py runserver`
with make run's settings (DEBUG on, email kept in the development outbox), the confirmation
link pasted from the terminal, and clicked in the outbox page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.quick_start import running_server

pytestmark = pytest.mark.browser


@pytest.fixture
def make_run(quick_start):
    """(address, terminal file) of the project served as `make run` serves it."""
    with running_server(quick_start) as served:
        yield served


def join(page, url, address):
    page.goto(url + "/")
    field = page.get_by_label("Email address").first
    field.fill(address)
    field.press("Enter")
    expect(page.locator("h1")).to_have_text("Check your inbox to confirm")


def confirm_here(page, address):
    expect(page.locator("h1")).to_have_text("Confirm your subscription")
    page.get_by_role("button", name="Confirm subscription").click()
    expect(page.locator("h1")).to_have_text("You're subscribed")
    expect(page.locator("main")).to_contain_text(address)


def test_a_newcomer_confirms_from_the_terminal_and_from_the_outbox(page, make_run):
    url, terminal = make_run

    join(page, url, "terminal@example.com")
    expect(page.locator("main")).to_contain_text("printed in the terminal")
    assert_accessible(page, "check your inbox, development server")
    screenshot(page, "dev-check-inbox")
    # The printed copy: the link whole on its own line, pasted into the address bar as is.
    printed = re.search(
        rf"^To: terminal@example\.com$.*?^({re.escape(url)}/newsletter/confirm/\S+)$",
        terminal.read_text(),
        re.MULTILINE | re.DOTALL,
    )
    assert printed, terminal.read_text()
    page.goto(printed[1])
    confirm_here(page, "terminal@example.com")

    join(page, url, "outbox@example.com")
    page.get_by_role("link", name="outbox").click()
    expect(page.locator("h1")).to_have_text("Outbox")
    assert_accessible(page, "development outbox")
    screenshot(page, "dev-outbox")
    letter = page.locator("article").filter(has_text="To outbox@example.com")
    letter.locator("a[href*='/newsletter/confirm/']").click()
    confirm_here(page, "outbox@example.com")

    # Each request logged once by runserver (the log used to print every line twice).
    logged = terminal.read_text()
    assert logged.count('"POST /newsletter/subscribe/ HTTP/1.1" 303') == 2, logged
