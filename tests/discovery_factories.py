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


class FormReader(HTMLParser):
    """The fields a browser would submit from the form with id `form_id`, as its page shows
    them (text inputs, checked boxes, textareas, selected options; no submit buttons)."""

    def __init__(self, html, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data = []
        self._textarea = None
        self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            self.data.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select":
            self._select = None

    def as_post(self, **changes):
        """The form data as a dict of lists for the test client, with `changes` applied."""
        post = {}
        for name, value in self.data:
            post.setdefault(name, []).append(value)
        for name, value in changes.items():
            post[name] = [value]
        return post
