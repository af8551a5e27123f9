"""RSS and Atom feeds, sitemaps, the Google News sitemap and robots.txt, read back with the
standard library's XML parser."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from django.utils import timezone

from articles import sitemaps
from articles.models import Article
from tests.factories import make_article, make_author, make_topic

pytestmark = pytest.mark.django_db

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


@pytest.fixture
def desk():
    models, policy = make_topic("Models"), make_topic("Policy")
    mara, theo = make_author("Mara Lindqvist"), make_author("Theo Okafor")
    lead = make_article(
        "Halcyon 3 reads a million tokens",
        dek="A longer memory at a higher price.",
        summary="Halcyon Labs released **Halcyon 3** on Tuesday.",
        sections=[
            (
                "Pricing",
                "Input costs $6 per million tokens.",
                ["Old rates hold until renewal.", "See the [notes](https://example.com/n)."],
            )
        ],
        authors=[mara, theo],
        topics=[models, policy],
        hours_ago=2,
        updated_hours_ago=1,
    )
    older = make_article("Rules for public buyers", authors=[theo], topics=[policy], hours_ago=30)
    make_article("A draft", authors=[mara], topics=[models], draft=True)
    make_article("Tomorrow's story", authors=[mara], topics=[models], hours_ago=-12)
    return {"lead": lead, "older": older, "models": models, "mara": mara, "theo": theo}


def xml(response, content_type):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    return ET.fromstring(response.content)  # noqa: S314 (our own response)


def test_rss_feed_carries_items_dates_authors_categories_and_content(client, desk):
    channel = xml(client.get("/feeds/rss/"), "application/rss+xml").find("channel")
    assert channel.findtext("link") == "http://testserver/"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == [
        "Halcyon 3 reads a million tokens",
        "Rules for public buyers",
    ]
    lead = items[0]
    assert lead.findtext("link") == "http://testserver/news/halcyon-3-reads-a-million-tokens/"
    assert lead.findtext("description") == "A longer memory at a higher price."
    published = parsedate_to_datetime(lead.findtext("pubDate"))
    assert abs(published - desk["lead"].published_at) < timedelta(seconds=1)
    assert [c.text for c in lead.findall("dc:creator", NS)] == ["Mara Lindqvist", "Theo Okafor"]
    assert [c.text for c in lead.findall("category")] == ["Models", "Policy"]
    content = lead.findtext("content:encoded", namespaces=NS)
    assert "<strong>Halcyon 3</strong>" in content
    assert "<li>Old rates hold until renewal.</li>" in content
    assert '<a href="https://example.com/n" rel="noopener">notes</a>' in content
    guid = lead.find("guid")
    assert guid.get("isPermaLink") == "false"
    assert guid.text == f"tag:testserver,2026:article:{desk['lead'].pk}"


def test_atom_feed_carries_entries_with_published_and_updated_times(client, desk):
    feed = xml(client.get("/feeds/atom/"), "application/atom+xml")
    entries = feed.findall("atom:entry", NS)
    assert len(entries) == 2
    lead = entries[0]
    published = datetime.fromisoformat(lead.findtext("atom:published", namespaces=NS))
    updated = datetime.fromisoformat(lead.findtext("atom:updated", namespaces=NS))
    assert published.tzinfo is not None and updated > published
    assert abs(updated - desk["lead"].updated_at) < timedelta(seconds=1)
    authors = [
        (a.findtext("atom:name", namespaces=NS), a.findtext("atom:uri", namespaces=NS))
        for a in lead.findall("atom:author", NS)
    ]
    assert authors == [
        ("Mara Lindqvist", "http://testserver/authors/mara-lindqvist/"),
        ("Theo Okafor", "http://testserver/authors/theo-okafor/"),
    ]
    assert [c.get("term") for c in lead.findall("atom:category", NS)] == ["Models", "Policy"]
    content = lead.find("atom:content", NS)
    assert (
        content.get("type") == "html" and "<li>Old rates hold until renewal.</li>" in content.text
    )
    # An entry that was never updated reports its publish time as its update time.
    older = entries[1]
    assert older.findtext("atom:updated", namespaces=NS) == older.findtext(
        "atom:published", namespaces=NS
    )


def test_topic_and_author_feeds_hold_only_their_articles(client, desk):
    def titles(url, kind):
        root = xml(client.get(url), kind)
        if kind == "application/rss+xml":
            return [item.findtext("title") for item in root.iter("item")]
        return [
            entry.findtext("atom:title", namespaces=NS)
            for entry in root.iter("{http://www.w3.org/2005/Atom}entry")
        ]

    assert titles("/topics/models/feeds/rss/", "application/rss+xml") == [
        "Halcyon 3 reads a million tokens"
    ]
    assert titles("/topics/policy/feeds/atom/", "application/atom+xml") == [
        "Halcyon 3 reads a million tokens",
        "Rules for public buyers",
    ]
    assert titles("/authors/theo-okafor/feeds/rss/", "application/rss+xml") == [
        "Halcyon 3 reads a million tokens",
        "Rules for public buyers",
    ]
    assert titles("/authors/mara-lindqvist/feeds/atom/", "application/atom+xml") == [
        "Halcyon 3 reads a million tokens"
    ]
    assert client.get("/topics/nope/feeds/rss/").status_code == 404
    assert client.get("/authors/nobody/feeds/atom/").status_code == 404


def test_feeds_hold_the_latest_thirty_in_a_fixed_number_of_queries(
    client, desk, django_assert_num_queries
):
    for n in range(31):
        make_article(
            f"Filler {n}", authors=[desk["mara"]], topics=[desk["models"]], hours_ago=40 + n
        )
    # articles, bylines with authors, topics, sections
    with django_assert_num_queries(4):
        channel = xml(client.get("/feeds/rss/"), "application/rss+xml").find("channel")
    assert len(channel.findall("item")) == 30
    with django_assert_num_queries(5):  # + the topic
        client.get("/topics/models/feeds/atom/")


def test_pages_announce_their_feeds(client, desk):
    html = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/feeds/rss/"' in html and 'href="/feeds/atom/"' in html
    topic = client.get("/topics/models/").content.decode()
    assert 'href="/topics/models/feeds/rss/"' in topic and 'href="/feeds/rss/"' in topic
    author = client.get("/authors/theo-okafor/").content.decode()
    assert 'href="/authors/theo-okafor/feeds/atom/"' in author


def test_sitemap_index_names_every_section_on_the_site_url(client, desk):
    index = xml(client.get("/sitemap.xml"), "application/xml")
    locations = [s.findtext("sm:loc", namespaces=NS) for s in index.findall("sm:sitemap", NS)]
    assert locations == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-topics.xml",
        "http://testserver/sitemap-authors.xml",
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-newsletter.xml",
        "http://testserver/sitemap-news.xml",
    ]
    lastmod = index.find("sm:sitemap", NS).findtext("sm:lastmod", namespaces=NS)
    assert datetime.fromisoformat(lastmod).tzinfo is not None


def test_sitemaps_list_published_articles_with_lastmod_topics_authors_and_pages(client, desk):
    articles = xml(client.get("/sitemap-articles.xml"), "application/xml")
    urls = {
        u.findtext("sm:loc", namespaces=NS): u.findtext("sm:lastmod", namespaces=NS)
        for u in articles.findall("sm:url", NS)
    }
    assert set(urls) == {
        "http://testserver/news/halcyon-3-reads-a-million-tokens/",
        "http://testserver/news/rules-for-public-buyers/",
    }
    assert all(datetime.fromisoformat(lastmod).tzinfo for lastmod in urls.values())

    def locs(path):
        root = xml(client.get(path), "application/xml")
        return [u.findtext("sm:loc", namespaces=NS) for u in root.findall("sm:url", NS)]

    assert locs("/sitemap-topics.xml") == [
        "http://testserver/topics/models/",
        "http://testserver/topics/policy/",
    ]
    assert "http://testserver/authors/theo-okafor/" in locs("/sitemap-authors.xml")
    assert locs("/sitemap-pages.xml") == ["http://testserver/", "http://testserver/topics/"]
    assert client.get("/sitemap-nothing.xml").status_code == 404
    assert client.get("/sitemap-articles.xml?p=2").status_code == 404


def test_news_sitemap_holds_the_last_48_hours(client, desk):
    make_article("Three days old", hours_ago=72)
    make_article("Forty-seven hours old", hours_ago=47)
    root = xml(client.get("/sitemap-news.xml"), "application/xml")
    urls = root.findall("sm:url", NS)
    titles = [u.findtext("news:news/news:title", namespaces=NS) for u in urls]
    assert titles == [
        "Halcyon 3 reads a million tokens",
        "Rules for public buyers",
        "Forty-seven hours old",
    ]
    news = urls[0].find("news:news", NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == "Newsroom"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    published = datetime.fromisoformat(news.findtext("news:publication_date", namespaces=NS))
    assert abs(published - desk["lead"].published_at) < timedelta(seconds=1)
    assert urls[0].findtext("sm:loc", namespaces=NS).startswith("http://testserver/news/")


def test_news_sitemap_stops_at_its_limit_newest_first(client, desk, monkeypatch):
    monkeypatch.setattr(sitemaps, "NEWS_LIMIT", 2)
    root = xml(client.get("/sitemap-news.xml"), "application/xml")
    assert [u.findtext("news:news/news:title", namespaces=NS) for u in root] == [
        "Halcyon 3 reads a million tokens",
        "Rules for public buyers",
    ]


def test_news_sitemap_limit_is_a_thousand(client, desk):
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            headline=f"Bulk {n}",
            slug=f"bulk-{n}",
            dek="Bulk.",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=n + 1),
        )
        for n in range(1005)
    )
    root = xml(client.get("/sitemap-news.xml"), "application/xml")
    assert len(root.findall("sm:url", NS)) == 1000


def test_robots_txt_names_the_sitemaps(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/sitemap-news.xml" in lines
    assert "Disallow: /search/" in lines
