"""Builders and an HTML outline reader shared by the articles tests (this module has no tests)."""

import itertools
from datetime import timedelta
from html.parser import HTMLParser

from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Author, Byline, RelatedPick, Section, Topic

_serial = itertools.count(1)


def make_author(name=None, *, user=None):
    name = name or f"Author {next(_serial)}"
    return Author.objects.create(name=name, slug=slugify(f"{name}-{next(_serial)}"), user=user)


def make_topic(name=None):
    name = name or f"Topic {next(_serial)}"
    return Topic.objects.create(name=name, slug=slugify(f"{name}-{next(_serial)}"))


def make_article(
    headline=None,
    *,
    status=Article.Status.PUBLISHED,
    published_at=None,
    hours_ago=1,
    authors=(),
    topics=(),
    sections=1,
    bullets=3,
    summary="A short summary of what happened.",
    summary_lead="The short version",
    take="",
    picks=(),
    **fields,
):
    """A whole article: `sections` sections of `bullets` bullets, bylines and picks in order."""
    serial = next(_serial)
    headline = headline or f"Headline number {serial}"
    if published_at is None and status == Article.Status.PUBLISHED:
        published_at = timezone.now() - timedelta(hours=hours_ago)
    article = Article.objects.create(
        headline=headline,
        slug=fields.pop("slug", None) or slugify(f"{headline}-{serial}")[:200],
        dek=fields.pop("dek", None) or f"One sentence about story {serial}.",
        summary_lead=summary_lead,
        summary=summary,
        take=take,
        status=status,
        published_at=published_at,
        **fields,
    )
    article.topics.set(topics)
    for position, author in enumerate(authors, start=1):
        Byline.objects.create(article=article, author=author, position=position)
    for position in range(1, sections + 1):
        Section.objects.create(
            article=article,
            position=position,
            lead_in=f"Lead-in {position}",
            text=f"Sentence of section {position}.",
            bullets="\n".join(f"Bullet {position}.{n}" for n in range(1, bullets + 1)),
        )
    for position, related in enumerate(picks, start=1):
        RelatedPick.objects.create(article=article, related=related, position=position)
    return article


class PageOutline(HTMLParser):
    """The parts of an article page inside <main>, in document order.

    `parts` lists ("headline" | "byline" | "published" | "updated" | "pitch" | "summary" |
    "section" | "take" | "recent news" | "preview", text) tuples; `links` holds (href, text)
    for every link, `tags` every (tag, attrs) inside <main>.
    """

    MARKERS = {
        "byline": "byline",
        "byline-published": "published",
        "byline-updated": "updated",
        "pitch": "pitch",
        "summary": "summary",
        "article-section": "section",
        "take": "take",
        "preview-banner": "preview",
    }

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.parts, self.links, self.tags, self.h1_count = [], [], [], 0
        self._main_depth = 0
        self._open = []  # (tag, part index or None)
        self._href = None
        self._link_text = []
        self._in_h = None
        self.recent_start = None
        self.feed(html)

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr"}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self._main_depth += 1
        if not self._main_depth:
            return
        self.tags.append((tag, attrs))
        part = None
        classes = (attrs.get("class") or "").split()
        for css, name in self.MARKERS.items():
            if css in classes:
                self.parts.append([name, ""])
                part = len(self.parts) - 1
        if tag == "h1":
            self.h1_count += 1
            self.parts.append(["headline", ""])
            part = len(self.parts) - 1
        if tag == "h2":
            self._in_h = ""
        if tag == "a":
            self._href, self._link_text = attrs.get("href"), []
        if tag not in self.VOID:
            self._open.append((tag, part))

    def handle_endtag(self, tag):
        if not self._main_depth:
            return
        if tag == "main":
            self._main_depth -= 1
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._link_text).strip()))
            self._href = None
        if tag == "h2" and self._in_h is not None:
            if self._in_h.strip() == "Recent News":
                self.parts.append(["recent news", ""])
                self.recent_start = len(self.links)
            self._in_h = None
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not self._main_depth:
            return
        for _, part in self._open:
            if part is not None:
                self.parts[part][1] += data
        if self._href is not None:
            self._link_text.append(data)
        if self._in_h is not None:
            self._in_h += data

    def recent_links(self):
        return [] if self.recent_start is None else self.links[self.recent_start :]

    def names(self):
        return [name for name, _ in self.parts]

    def texts(self, name):
        return [" ".join(text.split()) for part, text in self.parts if part == name]
