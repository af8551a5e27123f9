"""Hostile input: stored XSS in every editor field renders inert everywhere it is shown, and
random input to every public URL never produces a 500."""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.urls import get_resolver
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from articles.models import Author, Topic
from tests.factories import make_article

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert('x1')</script>",
    "<img src=x onerror=\"alert('x2')\">",
    "<svg onload=alert('x3')>",
    "[click](javascript:alert('x4'))",
    "[click](JaVaScRiPt:alert('x5'))",
    "[click](java\tscript:alert('x6'))",
    "[img](data:text/html;base64,PHNjcmlwdD5hbGVydCgneDcnKTwvc2NyaXB0Pg==)",
    '"><script>alert("x8")</script>',
    "</script><script>alert('x9')</script>",
    "<a href=\"javascript:alert('x10')\">link</a>",
    "<iframe src=javascript:alert('x11')></iframe>",
    "<style>body{background:url(javascript:alert('x12'))}</style>",
    "{{ settings.SECRET_KEY }} {% debug %}",
    "<b onmouseover=alert('x13')>bold</b",
]
HOSTILE = " ".join(PAYLOADS)


class ActiveContent(HTMLParser):
    """Collects anything a browser would execute: scripts, handlers, script URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.json_ld = []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("type") == "application/ld+json":
                self._in_json_ld = True
            else:
                self.problems.append(f"<script> {attrs}")
        if tag in {"iframe", "object", "embed", "style", "svg", "base", "form"} and tag != "form":
            self.problems.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}={value}")
            if name in {"href", "src", "action", "formaction"} and value:
                squashed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if squashed.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld.append(data)


def assert_inert(html, where):
    parser = ActiveContent()
    parser.feed(html)
    assert not parser.problems, f"{where}: {parser.problems}"
    for block in parser.json_ld:
        json.loads(block)  # stays valid JSON whatever the headline holds
        assert "</script" not in block.lower(), where
    assert "SECRET_KEY" not in html.replace("settings.SECRET_KEY", ""), where


def build_hostile_article():
    """An article whose every editor-entered field holds the payloads."""
    author = Author.objects.create(name=f"Ann {PAYLOADS[1]}", slug="ann", bio=HOSTILE)
    topic = Topic.objects.create(name=f"Chips {PAYLOADS[0]}", slug="chips", description=HOSTILE)
    article = make_article(
        f"Headline {PAYLOADS[8]} with \"quotes\" and 'apostrophes'",
        dek=f"Dek {PAYLOADS[7]}",
        summary_lead=f"Lead {PAYLOADS[2]}",
        summary=HOSTILE,
        take=f"🤔 {PAYLOADS[0]}",
        authors=[author],
        topics=[topic],
        sections=0,
    )
    article.sections.create(
        position=1, lead_in=f"Lead-in {PAYLOADS[1]}", text=HOSTILE, bullets="\n".join(PAYLOADS)
    )
    return article


@pytest.fixture
def hostile_article():
    return build_hostile_article()


def test_every_editor_field_renders_inert_on_every_page(client, hostile_article):
    pages = [
        hostile_article.get_absolute_url(),
        "/",
        "/topics/",
        "/topics/chips/",
        "/authors/ann/",
        "/search/?q=headline",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_inert(response.content.decode(), path)


def test_hostile_headline_keeps_json_ld_valid_and_exact(client, hostile_article):
    html = client.get(hostile_article.get_absolute_url()).content.decode()
    parser = ActiveContent()
    parser.feed(html)
    graphs = [json.loads(block) for block in parser.json_ld]
    headlines = [
        item.get("headline")
        for graph in graphs
        for item in (graph if isinstance(graph, list) else graph.get("@graph", [graph]))
        if isinstance(item, dict) and item.get("headline")
    ]
    assert hostile_article.headline in headlines


@pytest.mark.parametrize(
    "path", ["/feeds/rss/", "/feeds/atom/", "/topics/chips/feeds/rss/", "/authors/ann/feeds/atom/"]
)
def test_feeds_carry_hostile_text_only_as_inert_html(client, hostile_article, path):
    response = client.get(path)
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own feed) well-formed, whatever
    entries = [*root.iter("item"), *root.iter("{http://www.w3.org/2005/Atom}entry")]
    html_elements = [
        element
        for entry in entries
        for element in entry.iter()
        # An item's RSS description/content:encoded and Atom type="html" are read as HTML;
        # titles and channel descriptions are text.
        if element.tag in {"description", "{http://purl.org/rss/1.0/modules/content/}encoded"}
        or element.get("type") == "html"
    ]
    assert html_elements, "the feed carries article content"
    for element in html_elements:
        assert_inert(element.text or "", f"{path} <{element.tag}>")


ATOM = "{http://www.w3.org/2005/Atom}"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"


def feed_texts(root):
    """Every piece of text a feed reader shows as text: titles, descriptions of the channel,
    authors' names, categories (RSS elements, Atom elements and Atom's category terms)."""
    texts = []
    for channel in root.iter("channel"):
        texts += [channel.findtext("title"), channel.findtext("description")]
    for item in root.iter("item"):
        texts.append(item.findtext("title"))
        texts += [
            element.text for element in item.iter() if element.tag in {DC_CREATOR, "category"}
        ]
    for element in root.iter():
        if element.tag in {f"{ATOM}title", f"{ATOM}subtitle", f"{ATOM}name"}:
            assert element.get("type", "text") == "text", element.tag
            texts.append(element.text)
        if element.tag == f"{ATOM}category":
            texts.append(element.get("term"))
    return [text for text in texts if text is not None]


@pytest.mark.parametrize(
    "path", ["/feeds/rss/", "/feeds/atom/", "/topics/chips/feeds/rss/", "/authors/ann/feeds/atom/"]
)
def test_feed_titles_names_and_categories_are_plain_text(client, hostile_article, path):
    # Some RSS readers render titles as HTML: nothing there may open a tag, whoever reads it.
    root = ET.fromstring(client.get(path).content)  # noqa: S314 (our own feed)
    texts = feed_texts(root)
    assert len(texts) >= 4
    for text in texts:
        assert not re.search(r"<[A-Za-z/!?]", text), (path, text)
        assert_inert(f"<h2>{text}</h2>", f"{path}: {text!r}")
    headline = "Headline alert('x9') with \"quotes\" and 'apostrophes'"
    titles = [*root.iter("title"), *root.iter(f"{ATOM}title")]
    assert headline in [title.text for title in titles]


def test_feed_text_keeps_what_is_not_markup():
    from articles.feeds import plain_text

    assert plain_text("AT&T buys <b>chips</b>,  cheaper < dearer") == (
        "AT&T buys chips, cheaper < dearer"
    )
    assert plain_text("&lt;b&gt; is an entity, <3 a heart") == "&lt;b&gt; is an entity, <3 a heart"
    assert plain_text("x<img src=x onerror=alert(1) ") == "x"
    assert plain_text("<<script>script>alert(1)<</script>/script>") == "alert(1)"


# Fuzzing: every URL pattern, the search box, page numbers and the signup form.
unicode_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=300
)
huge_text = st.text(min_size=1000, max_size=5000)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def public_route_templates():
    """Every URL pattern of the site except the admin, with its converters as {slots}."""
    templates = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = str(pattern.pattern)
            if route.startswith("admin"):
                continue
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, prefix + route)
            else:
                templates.append(prefix + route)

    walk(get_resolver().url_patterns)
    return templates


def fill(template, value):
    return "/" + re.sub(r"<(?:\w+:)?\w+>", lambda m: value, template).lstrip("^").rstrip("$")


@FUZZ
@given(value=st.one_of(unicode_text, huge_text, st.sampled_from(["..", "%00", "%", "-1", "0"])))
def test_every_url_pattern_survives_random_segments(client, value):
    from urllib.parse import quote

    for template in public_route_templates():
        path = fill(template, quote(value, safe="") or "x")
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code < 500, (method, path)


# What a visitor can type into a search box or a query string: the websearch operators in
# long runs (-, "quoted", or), tsquery's own (! & | <-> :*), parentheses and nesting, unicode,
# control characters.
search_syntax = st.lists(
    st.one_of(
        st.sampled_from(
            ["-", "- ", "--", "!", "&", "|", "(", ")", "((", "))", "<", ">", "<->", ":*", ":A"]
            + ['"', "'", "\\", " or ", " OR ", " and ", "*", ":", "+", "~", "%", "&&", "||"]
        ),
        st.sampled_from(["ai", "chips", "the", "headline", "café", "日本語", "🤖", "x"]),
        st.sampled_from([" ", "\u3000", "\u00a0", "\x00", "\t", "\n", "\u202e", "\ufeff"]),
        st.text(max_size=3),
    ),
    max_size=150,
).map("".join)
query_text = st.one_of(search_syntax, unicode_text, huge_text, st.integers().map(str))
STACKED = [
    "-" * 33,
    "-" * 33 + "chips",
    "headline " + "-" * 200 + "x",
    "- " * 60 + "chips",
    "-!" * 50 + "ai",
    "-(" * 40 + "ai" + ")" * 40,
    '"' + "-" * 40 + '"',
    "-" * 33 + '"headline chips"',
]


@pytest.mark.parametrize("query", STACKED)
def test_stacked_exclusions_get_a_search_page(client, hostile_article, query):
    # PostgreSQL stacks one NOT per "-" and refused more than 32 with a 500.
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


def test_a_run_of_exclusion_marks_is_one_exclusion(hostile_article):
    from articles.search import clean_query, search_articles

    assert clean_query("-" * 33) == "-"
    assert clean_query("headline - -- -!-(chips") == "headline -(chips"
    assert not list(search_articles(clean_query("headline " + "-" * 40 + "apostrophes")))
    assert list(search_articles(clean_query("headline " + "-" * 40 + "nowhere")))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@example(raw="-" * 33)
@example(raw="a " + "- " * 40 + "b")
@given(raw=search_syntax)
def test_every_cleaned_query_is_valid_websearch_syntax(raw):
    from django.db import connection

    from articles.search import SEARCH_CONFIG, clean_query

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT websearch_to_tsquery(%s::regconfig, %s)", [SEARCH_CONFIG, clean_query(raw)]
        )


def public_paths(article):
    """Every public URL pattern, filled with the hostile article's own slugs, so that lists,
    feeds and sitemaps have something to page through."""
    slugs = {"news/": article.slug, "topics/": "chips", "authors/": "ann"}
    paths = []
    for template in public_route_templates():
        slug = next((v for prefix, v in slugs.items() if template.startswith(prefix)), "x")
        path = re.sub(r"<slug:section>", "articles", template)
        paths.append(fill(path, slug))
    return paths


@FUZZ
@example(query="-" * 33, page="1")
@example(query="1", page="-" * 33)
@given(query=query_text, page=st.one_of(query_text, st.integers().map(str)))
def test_every_public_url_survives_any_query_string(client, hostile_article, query, page):
    paths = public_paths(hostile_article)
    assert {"/search/", "/", "/topics/chips/", "/sitemap-articles.xml", "/feeds/rss/"} <= set(paths)
    for path in paths:
        # search's q and page, the lists' page, the sitemaps' p, and a parameter nobody reads
        response = client.get(path, {"q": query, "page": page, "p": page, query[:20]: page})
        assert response.status_code < 500, (path, query, page)


@FUZZ
@given(email=st.one_of(unicode_text, huge_text, st.emails()), extra=unicode_text)
def test_signup_form_survives_anything(client, email, extra):
    response = client.post(
        "/newsletter/subscribe/",
        {"email": email, "source": extra, "website": ""},
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code in (200, 303, 400, 429)


def test_hostile_article_and_intro_stay_inert_in_the_digest_email(hostile_article):
    from newsletter.content import digest_content, render_bodies
    from newsletter.editions import build_edition

    edition = build_edition().edition
    assert edition is not None, "the hostile article is new, so an edition is built"
    edition.intro = HOSTILE
    edition.save()
    text, html = render_bodies(digest_content(edition), unsubscribe_url="https://x.test/u/t/")
    # The text part keeps the words, as text (wrapped at 72 columns).
    assert " ".join(hostile_article.headline.split()) in " ".join(text.split())
    assert_inert(html, "digest HTML")
