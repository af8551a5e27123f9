"""Reading what the site sends: pages (their outline, <head> metadata, forms) and emails."""

import re
from html.parser import HTMLParser


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


def parts(message):
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def flat(text):
    """Text with every run of whitespace as one space: lines are wrapped where HTML and
    readers do not care."""
    return " ".join(text.split())


UNSUBSCRIBE = re.compile(r"http://testserver(/newsletter/unsubscribe/[^/\s\"<>]+/)")
