"""The look, measured in Chromium: the stylesheet arrives, the column reads well, nothing
scrolls sideways on a small phone, dark mode and print do what they promise."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.browser

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "site.css"


def test_stylesheet_is_small_and_framework_free():
    css = STYLESHEET.read_text()
    assert len(css.encode()) < 20 * 1024
    assert "@import" not in css and "@font-face" not in css


def test_stylesheet_loads_hashed_from_whitenoise(live_server, page, newsroom):
    responses = []
    page.on("response", lambda r: responses.append(r) if r.url.endswith(".css") else None)
    page.goto(live_server.url + "/")
    assert len(responses) == 1
    sheet = responses[0]
    assert sheet.status == 200
    assert re.search(r"/static/css/site\.[0-9a-f]{12}\.css$", sheet.url)
    assert "max-age=31536000" in sheet.headers["cache-control"]
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(251, 249, 244)"


# Characters on each visual line of an element, read from the layout itself.
CHARS_PER_LINE = """(selector) => {
  const lines = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(document.querySelector(selector), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect) continue;
      const middle = (rect.top + rect.bottom) / 2;
      const line = lines.find((l) => Math.abs(l.middle - middle) < 8);
      if (line) line.chars += 1; else lines.push({middle, chars: 1});
    }
  }
  return lines.map((l) => l.chars);
}"""

OVERFLOWING = """() => [...document.body.querySelectorAll('*')]
  .filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 1 && r.right > innerWidth + 0.5;
  })
  .map((e) => e.outerHTML.slice(0, 100))"""


MARK_LONGEST_PARAGRAPH = """() => {
  const blocks = [...document.querySelectorAll('.article-section > p, .article-section li')];
  const longest = blocks.reduce((a, b) => (b.textContent.length > a.textContent.length ? b : a));
  longest.id = 'measured';
  return longest.textContent.length;
}"""


def test_article_body_reads_at_65_to_75_characters_a_line(live_server, page, newsroom):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + newsroom[0].get_absolute_url())
    length = page.evaluate(MARK_LONGEST_PARAGRAPH)
    assert length > 150, "the demo needs a paragraph long enough to wrap several times"
    full_lines = page.evaluate(CHARS_PER_LINE, "#measured")[:-1]
    assert len(full_lines) >= 2
    assert all(55 <= n <= 80 for n in full_lines), full_lines
    assert 62 <= sum(full_lines) / len(full_lines) <= 76, full_lines


@pytest.mark.parametrize("width", [320, 375])
def test_nothing_scrolls_sideways_on_a_small_phone(live_server, page, newsroom, width):
    page.set_viewport_size({"width": width, "height": 800})
    article = newsroom[0]
    paths = [
        "/",
        article.get_absolute_url(),
        article.topics.all()[0].get_absolute_url(),
        article.byline_authors[0].get_absolute_url(),
        "/search/?q=model",
        "/newsletter/subscribe/",
        "/no-such-page/",
    ]
    for path in paths:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        assert page.evaluate(OVERFLOWING) == [], path


def test_dark_mode_follows_the_reader_system(live_server, page, newsroom):
    page.goto(live_server.url + newsroom[0].get_absolute_url())
    colours = (
        "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]"
    )
    page.emulate_media(color_scheme="light")
    assert page.evaluate(colours) == ["rgb(251, 249, 244)", "rgb(23, 23, 26)"]
    page.emulate_media(color_scheme="dark")
    assert page.evaluate(colours) == ["rgb(20, 20, 22)", "rgb(236, 234, 228)"]


def test_printed_article_is_the_article_alone(live_server, page, newsroom):
    page.goto(live_server.url + newsroom[0].get_absolute_url())
    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-footer", ".pitch", "form", ".recent-news"):
        assert page.locator(hidden).first.is_hidden(), hidden
    assert page.locator("article h1").is_visible()
    assert page.locator(".article-section").first.is_visible()
    assert page.locator(".byline").is_visible()


def test_keyboard_focus_is_clearly_visible(live_server, page, newsroom):
    page.goto(live_server.url + "/")
    outline = """(() => {
      const s = getComputedStyle(document.activeElement);
      return [document.activeElement.textContent.trim(), s.outlineStyle, s.outlineWidth];
    })()"""
    for expected in ("Skip to content", "Newsroom", "Daily newsletter"):
        page.keyboard.press("Tab")
        assert page.evaluate(outline) == [expected, "solid", "3px"]


def _tokens(css):
    """The colour tokens of the light :root block and of the dark-mode :root block."""
    light_block = css.split("@media (prefers-color-scheme: dark)")[0]
    dark_block = css.split("@media (prefers-color-scheme: dark)")[1].split("}\n}")[0]
    pattern = re.compile(r"--([a-z0-9-]+):\s*(#[0-9a-f]{6});")
    return dict(pattern.findall(light_block)), dict(pattern.findall(dark_block))


def _luminance(hex_colour):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(hex_colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# (foreground, background, minimum): text needs 4.5:1, borders and focus rings 3:1.
COLOUR_PAIRS = [
    ("ink", "paper", 4.5),
    ("ink-2", "paper", 4.5),
    ("ink", "card", 4.5),
    ("ink-2", "card", 4.5),
    ("accent", "paper", 4.5),
    ("accent", "card", 4.5),
    ("accent-strong", "paper", 4.5),
    ("on-accent", "accent", 4.5),
    ("on-accent", "accent-strong", 4.5),
    ("paper", "ink", 4.5),
    ("ink", "take", 4.5),
    ("ink", "mark", 4.5),
    ("banner-ink", "banner", 4.5),
    ("field", "paper", 3),
    ("field", "card", 3),
    ("focus", "paper", 3),
    ("focus", "card", 3),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_pairs_meet_wcag_aa(scheme):
    light, dark = _tokens(STYLESHEET.read_text())
    tokens = light if scheme == "light" else {**light, **dark}
    failing = {
        f"{fg} on {bg}": round(contrast(tokens[fg], tokens[bg]), 2)
        for fg, bg, minimum in COLOUR_PAIRS
        if contrast(tokens[fg], tokens[bg]) < minimum
    }
    assert failing == {}
