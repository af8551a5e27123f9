"""Discovery in a real browser with JavaScript switched off: the header's search form, the
results page, suggestions and pagination links all work as plain HTML."""

import pytest

from tests.factories import make_article, make_author, make_topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reader(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()


def test_a_reader_searches_from_the_header_without_javascript(live_server, reader):
    topic, author = make_topic("Models"), make_author("Mara Lindqvist")
    make_article(
        "Halcyon Labs ships a model with a long context window",
        sections=[("Pricing", "A longer context window costs more.", ["Old rates hold."])],
        topics=[topic],
        authors=[author],
    )
    make_article("Rules for public buyers", topics=[topic], authors=[author], hours_ago=5)

    reader.goto(live_server.url + "/")
    assert reader.locator("script:not([type='application/ld+json'])").count() == 0
    # On a phone the header's search box gives way to a button that opens the search page.
    assert reader.get_by_role("searchbox").count() == 0
    reader.get_by_role("link", name="Search", exact=True).click()
    reader.wait_for_url("**/search/")
    reader.get_by_label("Search the news").fill("halcyon")
    # A wider screen has the box in the header itself.
    reader.set_viewport_size({"width": 1024, "height": 768})
    reader.get_by_role("searchbox", name="Search", exact=True).fill("context window")
    reader.get_by_role("searchbox", name="Search", exact=True).press("Enter")

    reader.wait_for_url("**/search/?q=context+window")
    assert reader.locator(".search-summary").text_content() == "1 result for context window"
    result = reader.locator(".search-result")
    assert result.locator(".story-headline").inner_text().startswith("Halcyon Labs ships")
    assert result.locator("mark").all_inner_texts()[:2] == ["context", "window"]

    reader.get_by_label("Search the news").fill("halcyn")
    reader.get_by_role("button", name="Search").last.click()
    reader.wait_for_url("**/search/?q=halcyn")
    suggestion = reader.locator(".search-suggestions a")
    assert suggestion.inner_text() == "Halcyon Labs ships a model with a long context window"
    suggestion.click()
    reader.wait_for_url("**/news/halcyon-labs-ships-a-model-with-a-long-context-window/")
    assert reader.locator("h1").inner_text().startswith("Halcyon Labs ships")
