"""The reader's page as it lays out in Chromium (issue 17): the story starts on a phone's first
screen, headlines keep to three lines on a desktop, the navigation says where the reader is,
and Recent News shows dates and pictures."""

import pytest

from articles.models import Article

pytestmark = pytest.mark.browser

FIRST_SCREEN = 800

# Each element's top, bottom and height in page pixels, and the headline's line height.
BOXES = """(selectors) => Object.fromEntries(selectors.map((s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return [s, {top: r.top + scrollY, bottom: r.bottom + scrollY, height: r.height}];
}))"""
HEADLINE_LINES = """() => {
  const h1 = document.querySelector('h1');
  const lineHeight = parseFloat(getComputedStyle(h1).lineHeight);
  return Math.round(h1.getBoundingClientRect().height / lineHeight);
}"""


def test_on_a_phone_the_story_starts_on_the_first_screen(live_server, page, newsroom):
    """At 375 x 800 the header is two short rows, and the reference order (headline, byline,
    Join Now, summary) fits: the summary's first line shows, for every live demo article."""
    page.set_viewport_size({"width": 375, "height": FIRST_SCREEN})
    for article in newsroom:
        page.goto(live_server.url + article.get_absolute_url())
        parts = [".site-header", "h1", ".byline", "main .pitch", ".summary"]
        box = page.evaluate(BOXES, parts)
        assert box[".site-header"]["height"] <= 110, article.slug
        tops = [box[part]["top"] for part in parts[1:]]
        assert tops == sorted(tops), f"{article.slug}: not in the reference order"
        first_line = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.summary')).lineHeight)"
        )
        summary_line_ends = box[".summary"]["top"] + first_line
        assert summary_line_ends <= FIRST_SCREEN, (article.slug, summary_line_ends)
    # "All topics" shares the topics' row; the search box gives way to a search button.
    nav = page.locator(".site-nav a")
    assert nav.first.bounding_box()["y"] == nav.last.bounding_box()["y"]
    assert nav.last.inner_text() == "All topics"
    assert page.locator(".header-bar .site-search").is_hidden()
    page.get_by_role("link", name="Search", exact=True).click()
    assert page.locator("#search-q").is_visible()


def test_at_1280_the_longest_demo_headline_takes_three_lines_at_most(live_server, page, newsroom):
    page.set_viewport_size({"width": 1280, "height": 900})
    longest = max(newsroom, key=lambda article: len(article.headline))
    assert len(longest.headline) >= 80, "the demo's longest headline should be a long one"
    for article in (longest, newsroom[0]):
        page.goto(live_server.url + article.get_absolute_url())
        assert page.evaluate(HEADLINE_LINES) <= 3, article.headline
    # The topic's label above it leads to the topic.
    label = page.locator(".article-header .kicker a")
    topic = newsroom[0].topics.all()[0]
    assert label.inner_text().strip().lower() == topic.name.lower()
    assert label.get_attribute("href") == topic.get_absolute_url()


def test_the_navigation_marks_the_topic_page_the_reader_is_on(live_server, page, newsroom):
    topic = newsroom[0].topics.all()[0]
    page.goto(live_server.url + topic.get_absolute_url())
    current = page.locator(".site-nav a[aria-current=page]")
    assert current.count() == 1
    assert current.inner_text() == topic.name
    assert current.get_attribute("href") == topic.get_absolute_url()
    marked = current.evaluate("a => getComputedStyle(a).boxShadow")
    assert marked != "none", "the current topic should look marked too"
    page.goto(live_server.url + "/")
    assert page.locator(".site-nav a[aria-current]").count() == 0


def test_recent_news_and_lists_show_dates_and_thumbnails(live_server, page, newsroom):
    page.set_viewport_size({"width": 375, "height": FIRST_SCREEN})
    page.goto(live_server.url + newsroom[0].get_absolute_url())
    items = page.locator(".recent-news li")
    assert items.count() == 4
    pictured = 0
    for n in range(items.count()):
        item = items.nth(n)
        assert item.locator("time[datetime]").inner_text().strip()
        slug = item.locator("a").first.get_attribute("href").strip("/").split("/")[-1]
        has_picture = Article.objects.get(slug=slug).lead_image_id is not None
        thumbnail = item.locator("img.recent-thumbnail")
        assert thumbnail.count() == has_picture, slug
        if has_picture:
            pictured += 1
            thumbnail.scroll_into_view_if_needed()
            thumbnail.evaluate("img => img.decode()")
            width = thumbnail.bounding_box()["width"]
            assert 60 <= width <= 120, width  # a thumbnail, not a picture across the column
            assert thumbnail.get_attribute("alt")
    assert pictured >= 2, "most demo articles carry a picture"

    page.goto(live_server.url + "/")
    stories = page.locator(".story-list .story")
    assert stories.count() >= 8
    assert stories.locator("time[datetime]").count() == stories.count()
    thumbnails = stories.locator("img.story-image")
    assert thumbnails.count() >= 6
    assert all(60 <= box["width"] <= 160 for box in map(_box, thumbnails.all()))


def _box(locator):
    return locator.bounding_box()
