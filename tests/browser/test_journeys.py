"""The three journeys, walked in Chromium against the live server: a reader and a subscriber
with JavaScript switched off (neither needs it), and an editor in the admin."""

import re

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from articles.models import Article
from newsletter.models import Subscriber
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

NO_JAVASCRIPT = pytest.mark.browser_context_args(java_script_enabled=False)


@NO_JAVASCRIPT
def test_reader_goes_from_the_front_page_to_a_search_result(live_server, page, newsroom):
    page.goto(live_server.url + "/")
    lead = page.locator(".lead-story .story-headline a")
    headline = lead.inner_text()
    lead.click()
    expect(page.locator("h1")).to_have_text(headline)

    recent = page.locator(".recent-news a").first
    next_headline = recent.inner_text()
    recent.click()
    expect(page.locator("h1")).to_have_text(next_headline)
    article = Article.objects.published().get(headline=next_headline)

    topic = article.topics.all()[0]
    page.locator("header nav").get_by_role("link", name=topic.name, exact=True).click()
    expect(page.locator("h1")).to_have_text(topic.name)
    assert page.locator(".story-headline").filter(has_text=next_headline).count() == 1

    word = max(re.findall(r"[A-Za-z]{6,}", article.dek), key=len)
    search = page.get_by_role("search").first.get_by_role("searchbox")
    search.fill(word)
    search.press("Enter")
    expect(page.locator("h1")).to_have_text("Search results")
    result = page.locator(".search-results .story-headline a").filter(has_text=next_headline)
    result.click()
    expect(page.locator("h1")).to_have_text(next_headline)
    expect(page).to_have_url(live_server.url + article.get_absolute_url())


def tab_to(page, name, *, limit=60):
    """Press Tab until the focused element's text or label is `name`; fail if it never is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        label = focused.get_attribute("aria-label") or focused.inner_text().strip()
        if focused.evaluate("e => e.labels && e.labels.length") and not label:
            label = focused.evaluate("e => e.labels[0].textContent.trim()")
        if label == name:
            return focused
    raise AssertionError(f"{name!r} is not reachable with the Tab key")


def link_in(message, pattern):
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(pattern, body)
    assert match, body
    return match.group(0)


@NO_JAVASCRIPT
def test_subscriber_joins_confirms_and_leaves_with_the_keyboard(
    live_server, page, newsroom, smtp_mailer, settings
):
    settings.SITE_URL = live_server.url  # the links in the emails point at this server
    address = "keyboard.reader@example.com"
    page.goto(live_server.url + "/")

    # The masthead's call to action leads to the footer form; Tab continues from there.
    tab_to(page, "Daily newsletter").press("Enter")
    tab_to(page, "Email address")
    page.keyboard.type(address)
    tab_to(page, "Join Now").press("Enter")
    page.wait_for_url("**/newsletter/check-your-inbox/")
    expect(page.locator("h1")).to_have_text("Check your inbox to confirm")

    (confirmation,) = smtp_mailer.wait_for(1)
    assert confirmation["To"] == address
    page.goto(link_in(confirmation, r"http://\S+/newsletter/confirm/\S+/"))
    assert Subscriber.objects.get(email=address).status == Subscriber.Status.PENDING
    tab_to(page, "Confirm subscription").press("Enter")
    expect(page.locator("h1")).to_have_text("You're subscribed")
    assert Subscriber.objects.get(email=address).status == Subscriber.Status.CONFIRMED

    welcome = smtp_mailer.wait_for(2)[1]
    assert welcome["Subject"].startswith("Welcome")
    page.goto(link_in(welcome, r"http://\S+/newsletter/unsubscribe/\S+/"))
    tab_to(page, "Unsubscribe").press("Enter")
    expect(page.locator("h1")).to_have_text("You're unsubscribed")
    assert Subscriber.objects.get(email=address).status == Subscriber.Status.UNSUBSCRIBED


EDITOR_PASSWORD = "correct-horse-newsdesk-7"


@pytest.fixture
def editor(transactional_db):
    user = User.objects.create_user("desk", password=EDITOR_PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def pick(page, container, text):
    """Choose `text` in one of the admin's autocomplete (select2) widgets."""
    container.locator(".select2-selection").click()
    # The open picker's search box (a topics picker keeps its own inline one).
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option").filter(has_text=text).first.click()


def fill_new_article(page):
    page.fill("#id_headline", "Orchard Robotics teaches pickers' arms to see ripeness")
    page.fill("#id_dek", "A camera-guided arm picks only ripe apples, the startup says.")
    pick(page, page.locator(".field-topics"), "Research")
    pick(page, page.locator("#bylines-0"), "Mara Lindqvist")
    page.locator("#bylines-group .add-row a").click()
    pick(page, page.locator("#bylines-1"), "Theo Okafor")
    page.fill(
        "#id_text",
        "Picking by colour: Orchard Robotics showed an arm that judges **ripeness** by colour.\n\n"
        "How it works: A camera scores each apple before the arm moves.\n"
        "• Scores\n• Grips\n\n"
        "What it costs: The company would lease arms by the season.\n"
        "• Leases\n• Repairs\n\n"
        "🍎 Fruit is harder than factories.",
    )
    page.locator("#related_picks-group summary").click()  # folded: a first draft does without
    pick(page, page.locator("#related_picks-0"), "Tessellate")


def test_editor_writes_previews_and_publishes_an_article(live_server, page, newsroom, editor):
    page.goto(live_server.url + "/admin/")
    # Django's look, the newsroom's name, and a way back to the site even before logging in.
    expect(page.locator("#site-name")).to_have_text("Newsroom admin")
    assert page.get_by_role("link", name="View site").get_attribute("href") == "/"
    page.fill("#id_username", "desk")
    page.fill("#id_password", EDITOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("link", name="View site").count() == 1

    page.goto(live_server.url + "/admin/articles/article/add/")
    fill_new_article(page)
    assert page.input_value("#id_slug") == "orchard-robotics-teaches-pickers-arms-to-see-ripeness"
    page.locator("input[name=_continue]").first.click()
    expect(page.locator(".messagelist .success")).to_have_count(1)
    article = Article.objects.get(slug="orchard-robotics-teaches-pickers-arms-to-see-ripeness")
    assert article.status == Article.Status.DRAFT

    page.get_by_role("link", name="View on site").click()
    expect(page.locator(".preview-banner")).to_be_visible()
    expect(page.locator(".preview-banner")).to_contain_text("Preview: not published.")
    assert_accessible(page, "staff preview")
    page.go_back()

    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".messagelist")).to_contain_text("Published: readers see it now.")

    reader = page.context.browser.new_page()  # no session: what every reader gets
    reader.goto(live_server.url + "/")
    reader.locator(".story-headline a").filter(has_text="Orchard Robotics").click()
    expect(reader.locator("h1")).to_have_text(article.headline)
    assert reader.locator(".preview-banner").count() == 0
    byline = reader.locator(".byline")
    assert byline.get_by_role("link", name="Mara Lindqvist").count() == 1
    assert byline.get_by_role("link", name="Theo Okafor").count() == 1
    assert byline.locator("time").count() >= 1
    assert reader.locator("article .pitch").get_by_role("button", name="Join Now").count() == 1
    assert reader.locator(".summary").inner_text().startswith("Picking by colour:")
    assert reader.locator(".summary strong").nth(1).inner_text() == "ripeness"
    sections = reader.locator(".article-section")
    assert sections.count() == 2
    assert sections.nth(0).locator(".lead-in").inner_text() == "How it works:"
    assert sections.nth(1).locator("li").all_inner_texts() == ["Leases", "Repairs"]
    assert reader.locator(".take").inner_text() == "🍎 Fruit is harder than factories."
    assert reader.locator(".recent-news a").first.inner_text().startswith("Tessellate")
    reader.close()
