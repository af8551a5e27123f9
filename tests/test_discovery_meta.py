"""What pages say about themselves: title, description, canonical address, OpenGraph, Twitter
cards and JSON-LD (parsed with json.loads, field by field)."""

import json
import struct
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from articles.seo import ld_json_script
from tests.factories import make_article, make_author, make_topic
from tests.readers import read_page

pytestmark = pytest.mark.django_db

HOSTILE_HEADLINE = "The \"quoted\" </script><script>alert(1)</script> & 'odd' headline 🤖"


@pytest.fixture
def article():
    models, policy = make_topic("Models"), make_topic("Policy")
    mara = make_author("Mara Lindqvist", bio="Mara covers model releases.")
    theo = make_author("Theo Okafor")
    return make_article(
        HOSTILE_HEADLINE,
        slug="hostile-headline",
        dek='A dek with "quotes" & <angle> brackets.',
        authors=[mara, theo],
        topics=[models, policy],
        hours_ago=3,
        updated_hours_ago=1,
    )


def ld_of_type(page, kind):
    documents = [json.loads(text) for text in page.json_ld]
    return next(document for document in documents if document["@type"] == kind)


def test_article_json_ld_is_valid_and_complete(client, article):
    response = client.get("/news/hostile-headline/")
    html = response.content.decode()
    page = read_page(response)
    # The only script elements on the page are JSON-LD, and nothing closed them early.
    assert html.count("<script") == html.count('<script type="application/ld+json">') == 2
    assert "</script><script>alert(1)" not in html

    news = ld_of_type(page, "NewsArticle")
    assert news["@context"] == "https://schema.org"
    assert news["headline"] == HOSTILE_HEADLINE
    assert news["description"] == 'A dek with "quotes" & <angle> brackets.'
    canonical = "http://testserver/news/hostile-headline/"
    assert news["url"] == canonical
    assert news["mainEntityOfPage"] == {"@type": "WebPage", "@id": canonical}
    published = datetime.fromisoformat(news["datePublished"])
    modified = datetime.fromisoformat(news["dateModified"])
    assert published.utcoffset() is not None and modified.utcoffset() is not None
    assert published == article.published_at.replace(microsecond=0)
    assert modified == article.updated_at.replace(microsecond=0)
    assert news["author"] == [
        {
            "@type": "Person",
            "name": "Mara Lindqvist",
            "url": "http://testserver/authors/mara-lindqvist/",
        },
        {"@type": "Person", "name": "Theo Okafor", "url": "http://testserver/authors/theo-okafor/"},
    ]
    publisher = news["publisher"]
    assert publisher["@type"] == "Organization" and publisher["name"] == "Newsroom"
    assert publisher["logo"]["@type"] == "ImageObject"
    assert publisher["logo"]["url"].startswith("http://testserver/static/img/logo")
    assert (publisher["logo"]["width"], publisher["logo"]["height"]) == (600, 60)
    assert news["articleSection"] == "Models"
    assert news["keywords"] == ["Models", "Policy"]

    crumbs = ld_of_type(page, "BreadcrumbList")["itemListElement"]
    assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
        (1, "Newsroom", "http://testserver/"),
        (2, "Models", "http://testserver/topics/models/"),
        (3, HOSTILE_HEADLINE, canonical),
    ]


def test_article_opengraph_and_twitter_tags(client, article):
    page = read_page(client.get("/news/hostile-headline/"))
    assert page.link("canonical") == ["http://testserver/news/hostile-headline/"]
    assert page.first("og:type") == "article"
    assert page.first("og:title") == HOSTILE_HEADLINE
    assert page.first("og:description") == 'A dek with "quotes" & <angle> brackets.'
    assert page.first("og:url") == "http://testserver/news/hostile-headline/"
    assert page.first("og:site_name") == "Newsroom"
    assert page.first("og:image").startswith("http://testserver/static/img/social-card")
    assert datetime.fromisoformat(page.first("article:published_time")).utcoffset() is not None
    assert datetime.fromisoformat(page.first("article:modified_time")) > datetime.fromisoformat(
        page.first("article:published_time")
    )
    assert page.all("article:author") == [
        "http://testserver/authors/mara-lindqvist/",
        "http://testserver/authors/theo-okafor/",
    ]
    assert page.first("article:section") == "Models"
    assert page.all("article:tag") == ["Models", "Policy"]
    assert page.first("twitter:card") == "summary_large_image"
    assert page.first("twitter:title") == HOSTILE_HEADLINE
    assert page.first("twitter:data1") == "Mara Lindqvist and Theo Okafor"
    assert page.first("description") == 'A dek with "quotes" & <angle> brackets.'


@pytest.mark.parametrize(
    ("path", "og_type", "canonical", "ld_type"),
    [
        ("/", "website", "http://testserver/", "WebSite"),
        ("/topics/", "website", "http://testserver/topics/", None),
        ("/topics/models/", "website", "http://testserver/topics/models/", "BreadcrumbList"),
        (
            "/authors/mara-lindqvist/",
            "profile",
            "http://testserver/authors/mara-lindqvist/",
            "ProfilePage",
        ),
        ("/search/?q=quoted", "website", "http://testserver/search/?q=quoted", None),
    ],
)
def test_every_page_type_has_title_description_canonical_and_cards(
    client, article, path, og_type, canonical, ld_type
):
    response = client.get(path)
    page = read_page(response)
    html = response.content.decode()
    assert page.h1 == 1
    assert page.link("canonical") == [canonical]
    assert page.first("og:type") == og_type
    assert page.first("og:url") == canonical
    assert page.first("og:title") and page.first("og:description")
    assert page.first("twitter:card") == "summary_large_image"
    assert page.first("description")
    title = html[html.index("<title>") + 7 : html.index("</title>")]
    assert title.endswith("Newsroom")
    if ld_type:
        assert ld_of_type(page, ld_type)


def test_topic_breadcrumbs_and_author_profile(client, article):
    topic = read_page(client.get("/topics/policy/"))
    crumbs = ld_of_type(topic, "BreadcrumbList")["itemListElement"]
    assert [c["item"] for c in crumbs] == [
        "http://testserver/",
        "http://testserver/topics/",
        "http://testserver/topics/policy/",
    ]
    author = read_page(client.get("/authors/mara-lindqvist/"))
    profile = ld_of_type(author, "ProfilePage")["mainEntity"]
    assert profile == {
        "@type": "Person",
        "name": "Mara Lindqvist",
        "url": "http://testserver/authors/mara-lindqvist/",
        "description": "Mara covers model releases.",
    }
    assert author.first("description") == "Mara covers model releases."


def test_search_pages_ask_not_to_be_indexed(client, article):
    assert read_page(client.get("/search/?q=quoted")).first("robots") == "noindex, follow"


def test_ld_json_script_escapes_what_could_end_the_element():
    data = {"headline": "</script><!-- & 'x' \"y\" \u2028 😀"}
    script = str(ld_json_script(data))
    body = script.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in body and ">" not in body and "&" not in body
    assert json.loads(body) == data


@pytest.mark.parametrize(
    ("name", "size"), [("img/logo.png", (600, 60)), ("img/social-card.png", (1200, 630))]
)
def test_publisher_logo_and_card_are_pngs_of_the_announced_size(name, size):
    data = Path(finders.find(name)).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == size
