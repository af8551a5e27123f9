"""Editors' inline Markdown: links, bold and italic render; everything else stays inert text."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.markup import render_inline, render_lines
from articles.models import Section
from tests.factories import make_article
from tests.readers import PageOutline

ALLOWED_TAGS = {"a", "strong", "em"}
# nh3 keeps a Markdown link title as an (escaped, inert) title attribute.
ALLOWED_ATTRS = {"a": {"href", "rel", "title"}}
SAFE_SCHEMES = {"", "http", "https", "mailto"}

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '<body onload="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "<iframe src=//evil.example></iframe>",
    "<style>body{display:none}</style>",
    "<!-- hidden --><b>bold</b>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<div",
    "**<b onmouseover=alert(1)>x</b>**",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](java&#x73;cript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](java%73cript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](\x01javascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    '[x](https://example.com" onmouseover="alert(1))',
    "[x](https://example.com 'title\" onclick=\"alert(1)')",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "![img](javascript:alert(1))",
    "<https://example.com>",
    "`<script>alert(1)</script>`",
    "[<img src=x onerror=alert(1)>](https://example.com)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\u202e<script>alert(1)</script>",
]


class _Collector(HTMLParser):
    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.text = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _href_is_safe(href):
    # Browsers drop ASCII whitespace and control characters inside a URL's scheme.
    squashed = re.sub(r"[\x00-\x20]", "", href).lower()
    if squashed.startswith(("javascript:", "vbscript:", "data:")):
        return False
    return urlsplit(href).scheme.lower() in SAFE_SCHEMES


def assert_inert(html):
    parsed = _Collector(html)
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        assert set(attrs) <= ALLOWED_ATTRS.get(tag, set()), (attrs, html)
        if "href" in attrs:
            assert _href_is_safe(attrs["href"]), html
        if "rel" in attrs:
            assert attrs["rel"] == "noopener"
    return parsed


def test_links_bold_and_italic_render():
    html = render_inline(
        "Read **the report** and *the data* at [the lab](https://example.com/report), "
        "[our story](/news/a-story/) or [write](mailto:desk@example.com)."
    )
    assert html == (
        "Read <strong>the report</strong> and <em>the data</em> at "
        '<a href="https://example.com/report" rel="noopener">the lab</a>, '
        '<a href="/news/a-story/">our story</a> or '
        '<a href="mailto:desk@example.com">write</a>.'
    )


def test_links_to_our_own_site_get_no_rel(settings):
    settings.SITE_URL = "https://newsroom.example"
    assert render_inline("[home](https://newsroom.example/news/x/)") == (
        '<a href="https://newsroom.example/news/x/">home</a>'
    )


def test_other_markdown_is_left_as_text():
    assert render_inline("# Not a heading") == "# Not a heading"
    assert render_inline("`code`") == "`code`"
    assert render_inline("- not a list") == "- not a list"


def test_bullets_are_one_per_non_empty_line():
    assert render_lines("first *one*\n\n  \nsecond [link](https://example.com)\n") == [
        "first <em>one</em>",
        'second <a href="https://example.com" rel="noopener">link</a>',
    ]


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_xss_payload_renders_inert(payload):
    parsed = assert_inert(render_inline(payload))
    for tag, _ in parsed.tags:
        assert tag not in {"script", "img", "svg", "iframe", "style", "body"}


def test_raw_html_is_shown_as_text_not_dropped():
    html = render_inline("Use <b>tags</b> & <i>see</i>")
    assert html == "Use &lt;b&gt;tags&lt;/b&gt; &amp; &lt;i&gt;see&lt;/i&gt;"


FRAGMENTS = st.sampled_from(
    [
        "[",
        "]",
        "(",
        ")",
        "*",
        "**",
        "<",
        ">",
        '"',
        "'",
        "&",
        "#",
        ";",
        ":",
        "javascript:",
        "data:",
        "https://example.com",
        "<script>",
        " onerror=",
        "\n",
        "\t",
        "\\",
        "`",
        "!",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(FRAGMENTS | st.text(max_size=8), max_size=25).map("".join))
def test_any_editor_text_renders_inert(text):
    assert_inert(render_inline(text))


@pytest.mark.django_db
def test_payloads_on_the_page_stay_inert(client):
    payload = " ".join(XSS_CORPUS[:16])
    article = make_article(
        "<script>alert('headline')</script>",
        dek="<img src=x onerror=alert(1)>",
        summary_lead="<b onmouseover=alert(1)>lead</b>",
        summary=payload,
        take="<svg/onload=alert(1)> take",
        sections=0,
    )
    Section.objects.create(
        article=article,
        position=1,
        lead_in="<script>alert(1)</script>",
        text=payload,
        bullets="\n".join(XSS_CORPUS),
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    outline = PageOutline(response.content.decode())
    assert outline.texts("headline") == ["<script>alert('headline')</script>"]
    for tag, attrs in outline.tags:
        assert tag not in {"script", "img", "svg", "iframe", "style"}
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        if tag == "a":
            assert _href_is_safe(attrs["href"]), attrs
    assert "<script>alert" not in response.content.decode()


@pytest.mark.django_db
def test_pages_read_html_rendered_when_the_editor_saved(client):
    article = make_article(sections=1)
    section = article.sections.get()
    section.text = "Now with *emphasis*."
    section.save()
    assert section.text_html == "Now with <em>emphasis</em>."
    # A write that skips save() changes the source, not what readers get.
    Section.objects.filter(pk=section.pk).update(text="Sneaky **change**.")
    assert "Now with <em>emphasis</em>." in client.get(article.get_absolute_url()).content.decode()


def test_link_titles_and_other_attributes_are_dropped():
    html = render_inline('[docs](https://example.org/a "a title")')
    assert html == '<a href="https://example.org/a" rel="noopener">docs</a>'


def test_scheme_relative_links_count_as_external():
    assert 'rel="noopener"' in render_inline("[x](//elsewhere.example/page)")
    assert "rel=" not in render_inline("[x](/news/local/)")
