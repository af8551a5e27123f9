"""Small builders for the discovery tests: topics, authors and articles in the house format,
saved the way the admin saves them (sections rendered, search text refreshed)."""

from datetime import timedelta
from html.parser import HTMLParser

from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Author, Byline, Section, Topic
from articles.search import refresh_search_text


def make_topic(name, *, description="", in_navigation=True, position=0):
    return Topic.objects.create(
        name=name,
        slug=slugify(name),
        description=description,
        in_navigation=in_navigation,
        position=position,
    )


def make_author(name, *, bio=""):
    return Author.objects.create(name=name, slug=slugify(name), bio=bio)


def make_article(
    headline,
    *,
    slug=None,
    dek="A one-sentence dek for the list.",
    summary="Two short sentences of summary.",
    sections=(("What happened", "One sentence of context.", ["A first bullet."]),),
    authors=(),
    topics=(),
    hours_ago=1,
    draft=False,
    updated_hours_ago=None,
):
    """An article published `hours_ago` hours ago (negative: scheduled), or a draft."""
    now = timezone.now()
    article = Article.objects.create(
        headline=headline,
        slug=slug or slugify(headline)[:200],
        dek=dek,
        summary_lead="The short version",
        summary=summary,
        status=Article.Status.DRAFT if draft else Article.Status.PUBLISHED,
        published_at=None if draft else now - timedelta(hours=hours_ago),
        updated_at=None if updated_hours_ago is None else now - timedelta(hours=updated_hours_ago),
    )
    for position, author in enumerate(authors):
        Byline.objects.create(article=article, author=author, position=position)
    article.topics.set(topics)
    for position, (lead_in, text, bullets) in enumerate(sections):
        Section.objects.create(
            article=article,
            position=position,
            lead_in=lead_in,
            text=text,
            bullets="\n".join(bullets),
        )
    refresh_search_text(article)
    return article


class HeadReader(HTMLParser):
    """The parts of a page the discovery tests read: meta tags, links, JSON-LD, headings."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.meta = []  # (property or name, content)
        self.links = []  # attribute dicts
        self.json_ld = []  # raw script text
        self.h1 = 0
        self._script = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            self.meta.append((attrs.get("property") or attrs.get("name"), attrs["content"]))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._script = []
        elif tag == "h1":
            self.h1 += 1

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.json_ld.append("".join(self._script))
            self._script = None

    def first(self, key):
        return next((content for name, content in self.meta if name == key), None)

    def all(self, key):
        return [content for name, content in self.meta if name == key]

    def link(self, rel, type_=None):
        return [
            link["href"]
            for link in self.links
            if link.get("rel") == rel and (type_ is None or link.get("type") == type_)
        ]


def read_page(response):
    assert response.status_code == 200, response.status_code
    return HeadReader(response.content.decode())
