"""The editor's desk in Chromium (issue 15): pickers that add an author or a topic in place."""

import time

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from articles.models import Article, Author, Topic

pytestmark = pytest.mark.browser

PASSWORD = "desk-editor-password-15"


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
