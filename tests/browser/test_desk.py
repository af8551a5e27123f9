"""The editor's desk in Chromium (issue 15): pickers that add an author or a topic in place."""

import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from articles.models import Article, Author, Topic
from tests.browser.conftest import ARTIFACTS, assert_accessible, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "desk-editor-password-15"
PASTED_PAGE = Path(__file__).resolve().parents[1] / "fixtures" / "pasted_page.txt"


@pytest.fixture
def editor(transactional_db):
    user = User.objects.create_user("desk15", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def log_in(page, live_server):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "desk15")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_have_count(1)


def add_in_place(page, plus, name):
    """Press a picker's "+", name the new one in the popup, save: the popup closes."""
    with page.expect_popup() as opened:
        page.locator(plus).click()
    popup = opened.value
    popup.fill("#id_name", name)
    with popup.expect_event("close"):
        popup.locator("input[name=_save]").click()


def test_an_author_and_a_topic_added_in_place_show_selected_and_the_topic_stays_out_of_the_header(
    live_server, page, newsroom, editor
):
    log_in(page, live_server)
    page.goto(live_server.url + "/admin/articles/article/add/")

    add_in_place(page, "#add_id_topics", "Robot hands")
    expect(page.locator(".field-topics .select2-selection__choice")).to_contain_text("Robot hands")
    add_in_place(page, "#add_id_bylines-0-author", "Noor Haddad")
    expect(page.locator("#bylines-0 .select2-selection__rendered")).to_have_text("Noor Haddad")

    page.fill("#id_headline", "A hand that learns grip from touch alone")
    page.fill(
        "#id_text",
        "Touch first: A lab taught a robot hand to grip by touch.\n\n"
        "How: Pressure pads replace cameras.\n• Pads\n• Practice",
    )
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".messagelist")).to_contain_text("Published: readers see it now.")

    article = Article.objects.get(headline="A hand that learns grip from touch alone")
    topic = Topic.objects.get(name="Robot hands")
    assert list(article.topics.all()) == [topic]
    assert article.byline_authors == [Author.objects.get(name="Noor Haddad")]
    assert not topic.in_navigation
    reader = page.context.browser.new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    expect(reader.locator(".kicker")).to_have_text("Robot hands")
    assert reader.locator("header nav").get_by_role("link", name="Robot hands").count() == 0
    reader.close()


def preview_frame(page):
    return page.frame_locator(".desk-preview-frame")


def test_the_preview_shows_a_typed_headline_within_a_second(live_server, page, newsroom, editor):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server)
    page.goto(live_server.url + "/admin/articles/article/add/")
    expect(page.locator("#desk-preview")).to_be_visible()
    expect(preview_frame(page).locator(".preview-banner")).to_contain_text("Live preview")

    page.locator("#id_headline").press_sequentially("Typed just now", delay=20)
    started = time.monotonic()
    expect(preview_frame(page).locator("h1")).to_have_text("Typed just now", timeout=1000)
    shown_after = time.monotonic() - started
    assert shown_after < 1.0, shown_after

    # A phone's width, then a desktop's, scaled to fit the panel.
    frame = page.locator(".desk-preview-frame")
    assert frame.evaluate("f => f.getBoundingClientRect().width") <= 375
    page.get_by_role("button", name="Desktop").click()
    expect(page.get_by_role("button", name="Desktop")).to_have_attribute("aria-pressed", "true")
    assert frame.evaluate("f => f.style.width") == "1280px"
    stage = page.locator(".desk-preview-stage").evaluate("s => s.clientWidth")
    assert frame.evaluate("f => f.getBoundingClientRect().width") <= stage + 1
    assert Article.objects.filter(headline="Typed just now").count() == 0


class Counted:
    """The editor's hands: every field typed into and every click, counted."""

    def __init__(self, page):
        self.page = page
        self.fields = []
        self.clicks = 0

    def click(self, locator):
        locator.click()
        self.clicks += 1

    def type_into(self, locator, text, *, focused=False):
        if not focused:
            self.click(locator)
        locator.fill(text)
        self.fields.append(locator.get_attribute("name") or locator.get_attribute("class"))

    def pick(self, container, text):
        """Open a picker, type to search, choose the match."""
        self.click(container.locator(".select2-selection"))
        search = self.page.locator(".select2-container--open .select2-search__field")
        self.type_into(search, text, focused=True)
        self.click(self.page.locator(".select2-results__option").filter(has_text=text).first)


def pasted_text():
    """The article's text as a browser's "select all, copy" of a page in the house format
    gives it (tests/fixtures/pasted_page.txt: our own words laid out like the reference page),
    from its summary to its take."""
    page = PASTED_PAGE.read_text(encoding="utf-8")
    start = page.index("\n\n", page.index("Join Now")) + 2
    return page[start : page.index("Recent News")]


def test_from_an_empty_form_to_the_published_article_in_few_fields_and_clicks(
    live_server, page, newsroom, editor
):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server)
    page.goto(live_server.url + "/admin/articles/article/add/")
    hands = Counted(page)

    headline = page.locator("#id_headline")
    expect(headline).to_be_focused()  # the add form starts in the headline
    hands.type_into(headline, "Chip makers sell efficiency, not size", focused=True)
    hands.pick(page.locator("#bylines-0"), "Mara Lindqvist")
    hands.pick(page.locator(".field-topics"), "Business")
    hands.type_into(page.locator("#id_text"), pasted_text())
    expect(preview_frame(page).locator("h1")).to_have_text("Chip makers sell efficiency, not size")
    expect(preview_frame(page).locator(".byline")).to_contain_text("Mara Lindqvist")
    # The form as the editor sees it before publishing (README, docs/screenshots/).
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "admin-desk", widths=(1280,), full_page=False)
    hands.click(page.get_by_role("button", name="Publish now"))
    expect(page.locator(".messagelist")).to_contain_text("Published: readers see it now.")

    print(f"\nissue 15 figures: {len(hands.fields)} fields filled, {hands.clicks} clicks")
    assert len(hands.fields) <= 6 and hands.clicks <= 10, (hands.fields, hands.clicks)
    article = Article.objects.get(headline="Chip makers sell efficiency, not size")
    assert article.is_live

    reader = page.context.browser.new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    expect(reader.locator(".summary")).to_have_count(1)
    expect(reader.locator(".summary")).to_contain_text("Efficiency becomes the selling point:")
    expect(reader.locator(".article-section")).to_have_count(4)
    expect(reader.locator(".article-section li")).to_have_count(12)
    expect(reader.locator(".take")).to_have_text("⚡ Watts, not parameters, are the new benchmark")
    expect(reader.locator(".byline")).to_contain_text("Mara Lindqvist")
    reader.close()


@pytest.mark.parametrize("form", ["add", "change"])
def test_the_article_forms_are_accessible(live_server, page, newsroom, editor, form):
    log_in(page, live_server)
    # Without the admin's colour transitions, axe reads the colours of the scheme it checks.
    page.emulate_media(reduced_motion="reduce")
    url = "/admin/articles/article/add/"
    if form == "change":
        url = f"/admin/articles/article/{newsroom[0].pk}/change/"
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + url)
        expect(preview_frame(page).locator(".preview-banner")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page, f"{form} form at {width} px")


def test_ctrl_s_saves_and_stays_on_the_form(live_server, page, newsroom, editor):
    story = newsroom[2]
    log_in(page, live_server)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    page.locator("#id_headline").fill(story.headline + " (saved by keyboard)")
    page.keyboard.press("Control+s")
    expect(page.locator(".messagelist .success")).to_have_count(1)
    expect(page.locator("#id_headline")).to_have_value(story.headline + " (saved by keyboard)")
    story.refresh_from_db()
    assert story.headline.endswith("(saved by keyboard)") and story.is_live
    page.screenshot(path=str(ARTIFACTS / "admin-desk-375-saved.png"), full_page=True)
