"""RSS 2.0 and Atom feeds: the whole site, each topic, each author (latest 30 articles).

Each entry carries the dek as its summary and the article body (summary, sections with their
bullets, the take) as HTML content, every author, the topics as categories, and publish and
update times. Links are absolute on SITE_URL. Entry ids do not contain the slug, so renaming an
article does not make it new again in feed readers.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from articles.models import Article, Author, Section, Topic
from articles.page_cache import public_page
from articles.seo import absolute, modified_time

FEED_LENGTH = 30


# A tag, comment or declaration as HTML reads one, or the start of one that never closes.
_TAG = re.compile(r"<[A-Za-z/!?][^>]*>?")


def plain_text(text):
    """`text` for a feed element that readers show as text: whatever HTML would read as markup
    removed (again until none is left: "<<b>b>" leaves "<b>" after one pass), entities and a
    lone "<" kept as typed, whitespace made single spaces."""
    text = text or ""
    while (stripped := _TAG.sub("", text)) != text:
        text = stripped
    return " ".join(text.split())


class TextElements:
    """Titles, names, categories and the channel's description as plain text. RSS never said
    whether they may hold HTML, and some readers render them as HTML, so nothing a writer typed
    there may be markup; the generator escapes the rest for XML. Entries' HTML (description,
    content) is sanitized where it is made."""

    def __init__(self, *, title, description, subtitle=None, author_name=None, **kwargs):
        super().__init__(
            title=plain_text(title),
            description=plain_text(description),
            subtitle=plain_text(subtitle) if subtitle else subtitle,
            author_name=plain_text(author_name) if author_name else author_name,
            **kwargs,
        )

    def add_item(self, *, title, categories=(), authors=(), **kwargs):
        super().add_item(
            title=plain_text(title),
            categories=[plain_text(category) for category in categories or ()],
            authors=[(plain_text(name), url) for name, url in authors],
            **kwargs,
        )


class RssWithContent(TextElements, Rss201rev2Feed):
    """RSS 2.0 with every author as dc:creator and the body as content:encoded."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _url in item["authors"]:
            handler.addQuickElement("dc:creator", name)
        handler.addQuickElement("content:encoded", item["content_html"])


class AtomWithContent(TextElements, Atom1Feed):
    """Atom with every author (name and page) and the body as HTML content."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", url)
            handler.endElement("author")
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


def feed_articles(**filters):
    """Published articles with what an entry shows, in four queries whatever the count."""
    return (
        Article.objects.published()
        .filter(**filters)
        .with_byline()
        .prefetch_related(Prefetch("sections", queryset=Section.objects.order_by("position")))
        .defer("search_text")[:FEED_LENGTH]
    )


@public_page()
class SiteFeed(Feed):
    """The latest articles, whole site."""

    feed_type = RssWithContent
    url_name = "articles:feed-rss"
    language = settings.SITE_LANGUAGE

    def title(self):
        return settings.SITE_NAME

    def subtitle(self):
        return settings.SITE_DESCRIPTION

    description = subtitle

    def link(self):
        return absolute("/")

    def feed_url(self, obj):
        kwargs = {"slug": obj.slug} if obj is not None else {}
        return absolute(reverse(self.url_name, kwargs=kwargs))

    def author_name(self):
        return settings.SITE_NAME

    def items(self):
        return feed_articles()

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        # RSS <description> and Atom <summary type="html"> are read as HTML: the dek is text.
        return escape(item.dek)

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_guid(self, item):
        return f"tag:{urlsplit(settings.SITE_URL).hostname},2026:article:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return modified_time(item)

    def item_categories(self, item):
        return [topic.name for topic in item.topics.all()]

    def item_extra_kwargs(self, item):
        return {
            "authors": [
                (author.name, absolute(author.get_absolute_url())) for author in item.byline_authors
            ],
            "content_html": render_to_string(
                "articles/_feed_content.html",
                {
                    "article": item,
                    "link": absolute(item.get_absolute_url()),
                    "site_name": settings.SITE_NAME,
                },
            ),
        }


class SiteAtomFeed(SiteFeed):
    feed_type = AtomWithContent
    url_name = "articles:feed-atom"


class TopicFeed(SiteFeed):
    """The latest articles on one topic."""

    url_name = "articles:topic-feed-rss"

    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj):
        return f"{obj.name} · {settings.SITE_NAME}"

    def subtitle(self, obj):
        return obj.description or f"The latest {obj.name} news from {settings.SITE_NAME}."

    description = subtitle

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def items(self, obj):
        return feed_articles(topics=obj)


class TopicAtomFeed(TopicFeed):
    feed_type = AtomWithContent
    url_name = "articles:topic-feed-atom"


class AuthorFeed(SiteFeed):
    """The latest articles by one author."""

    url_name = "articles:author-feed-rss"

    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def title(self, obj):
        return f"{obj.name} · {settings.SITE_NAME}"

    def subtitle(self, obj):
        return f"The latest articles by {obj.name} on {settings.SITE_NAME}."

    description = subtitle

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def items(self, obj):
        return feed_articles(bylines__author=obj)


class AuthorAtomFeed(AuthorFeed):
    feed_type = AtomWithContent
    url_name = "articles:author-feed-atom"
