"""Screenshots of the pages people judge the site by, at a phone width and a desktop width, in
light and dark mode, saved under test-artifacts/screenshots/ for a person to look at."""

import io
import math
from collections import Counter

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from newsletter import tokens
from newsletter.models import Subscriber
from tests.browser.conftest import SCHEMES, screenshot
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


# Wraps the first `text` on the page in <span id="measured">, so it can be shot alone.
WRAP_TEXT = """(text) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(text);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + text.length);
    const span = document.createElement("span");
    span.id = "measured";
    range.surroundContents(span);
    return true;
  }
  return false;
}"""
FULL_BLOCK = "\u2588"  # a glyph every font fills with the text colour alone


def pixels(png):
    """The picture's pixels, row by row, and its width."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    data = image.tobytes()
    return [tuple(data[i : i + 3]) for i in range(0, len(data), 3)], image.width


def off_the_line(pixel, ink, paper):
    """How far `pixel` lies from every blend of the text colour and the background: a glyph
    drawn in the text colour (an empty box, a monochrome emoji) stays near that line."""
    line = [p - i for p, i in zip(paper, ink, strict=True)]
    offset = [q - i for q, i in zip(pixel, ink, strict=True)]
    along = sum(a * b for a, b in zip(offset, line, strict=True)) / (sum(x * x for x in line) or 1)
    along = min(1.0, max(0.0, along))
    return math.dist(pixel, [i + along * x for i, x in zip(ink, line, strict=True)])


def colour_share(page, glyph):
    """The share of the glyph's drawn pixels that are neither the text colour nor the
    background nor a blend of the two."""
    measured = page.locator("#measured")
    measured.evaluate("(span, glyph) => { span.textContent = glyph; }", glyph)
    drawn, width = pixels(measured.screenshot())
    corners = [drawn[0], drawn[width - 1], drawn[-width], drawn[-1]]
    paper = Counter(corners).most_common(1)[0][0]
    measured.evaluate("(span, block) => { span.textContent = block; }", FULL_BLOCK)
    block, _ = pixels(measured.screenshot())
    ink = block[len(block) // 2]
    marked = [p for p in drawn if max(abs(a - b) for a, b in zip(p, paper, strict=True)) > 40]
    coloured = [p for p in marked if off_the_line(p, ink, paper) > 60]
    return len(coloured) / max(1, len(marked))


def test_the_takes_emoji_is_drawn_in_colour(live_server, page, newsroom):
    """What the screenshots show is what readers see: the take's emoji in colour, not the
    empty box Chromium draws without a colour emoji font (.ci/run installs Debian's
    fonts-noto-color-emoji). The demo takes' emoji measure 0.16-0.92 with it, 0 without."""
    article = next(article for article in newsroom if article.take)
    emoji = article.take.split()[0]
    assert not emoji.isascii(), f"the take starts with {emoji!r}, not an emoji"
    page.goto(live_server.url + article.get_absolute_url())
    assert page.evaluate(WRAP_TEXT, emoji), f"{emoji} is not on the article page"
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        share = colour_share(page, emoji)
        assert share >= 0.05, (
            f"{emoji} ({scheme}): {share:.0%} of its pixels in colour, a monochrome box; "
            "install a colour emoji font (Debian: fonts-noto-color-emoji)"
        )
