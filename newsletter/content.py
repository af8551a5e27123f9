"""What an edition holds and how its editorial content reads in an email: the articles in the
edition's window, each in the house format, rendered as HTML for mail clients (table layout,
inline styles) and as plain text carrying the same words and links. Nothing here is about one
recipient: newsletter/digest.py puts each recipient's parts around what this renders."""

import re
import textwrap
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from html import escape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from articles import corrections, images
from articles.markup import render_inline
from articles.models import Article
from newsletter.models import Edition

LINK_STYLE = "color:#b3261e;"
FIRST_EDITION_WINDOW = timedelta(hours=24)


# --- Article HTML made ready for mail clients, and for plain text ---


class _EmailFragment(HTMLParser):
    """Re-emits the newsroom's sanitized inline HTML (a, strong, em) with absolute links and
    inline styles, and collects the same content as plain text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.html, self.text = [], []
        self._links = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a":
            href = urljoin(settings.SITE_URL + "/", attributes.get("href") or "")
            self._links.append((href, len(self.text)))
            self.html.append(f'<a href="{escape(href)}" style="{LINK_STYLE}">')
        elif tag in ("strong", "em"):
            self.html.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag == "a" and self._links:
            href, start = self._links.pop()
            label = "".join(self.text[start:]).strip()
            if href.rstrip("/") != label.rstrip("/"):
                self.text.append(f" ({href})")
            self.html.append("</a>")
        elif tag in ("strong", "em"):
            self.html.append(f"</{tag}>")

    def handle_data(self, data):
        self.html.append(escape(data, quote=False))
        self.text.append(data)


@dataclass(frozen=True)
class Fragment:
    html: str
    text: str


def fragment(markup_html):
    """Stored article HTML (already sanitized) as email HTML and as plain text."""
    parser = _EmailFragment()
    parser.feed(markup_html or "")
    parser.close()
    return Fragment("".join(parser.html), " ".join("".join(parser.text).split()))


def intro_fragments(intro):
    """An editor's intro, one fragment per paragraph (blank lines separate them)."""
    paragraphs = re.split(r"\n\s*\n", intro or "")
    return [fragment(render_inline(p)) for p in paragraphs if p.strip()]


# --- What an edition carries ---


@dataclass
class DigestSection:
    lead_in: str
    text: Fragment
    bullets: list


@dataclass(frozen=True)
class DigestImage:
    """A lead image's small rendition, at an absolute address."""

    url: str
    width: int
    height: int
    alt: str


@dataclass
class DigestArticle:
    headline: str
    url: str
    authors: str
    summary_lead: str
    summary: Fragment
    sections: list
    take: str
    image: DigestImage | None = None


@dataclass
class DigestCorrection:
    """An article corrected since the previous edition, with those corrections as
    (label, Fragment) pairs, e.g. ("Correction, 26 November", …)."""

    headline: str
    url: str
    notes: list


@dataclass
class DigestContent:
    """Everything the digest shows, read from the database once per worker."""

    edition: object
    articles: list = field(default_factory=list)
    intro: list = field(default_factory=list)
    corrections: list = field(default_factory=list)


def joined_names(names):
    names = list(names)
    if len(names) <= 2:
        return " and ".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def edition_window(date, now):
    """(since, cut_off): the articles an edition for `date` carries were published after the
    previous edition's cut-off (the first edition: 24 hours back) and up to its own cut-off,
    which is now for today, or the end of that day for a past day that was missed."""
    end_of_day = timezone.make_aware(datetime.combine(date + timedelta(days=1), time.min))
    cut_off = min(now, end_of_day)
    previous = Edition.objects.filter(date__lt=date).order_by("-date").first()
    since = previous.cut_off if previous else cut_off - FIRST_EDITION_WINDOW
    return since, cut_off


def edition_articles(edition):
    """The edition's articles that are published (now), in the editor's order, with everything
    the email shows, in a fixed number of queries."""
    return (
        Article.objects.published()
        .filter(edition_links__edition=edition)
        .for_page()
        .order_by("edition_links__position", "edition_links__pk")
    )


def digest_content(edition):
    articles, carried = [], []
    for article in edition_articles(edition):
        carried.append(article.pk)
        sections = [
            DigestSection(
                lead_in=section.lead_in,
                text=fragment(section.text_html),
                bullets=[fragment(bullet) for bullet in section.bullets_html],
            )
            for section in article.sections.all()
        ]
        articles.append(
            DigestArticle(
                headline=article.headline,
                url=settings.SITE_URL + article.get_absolute_url(),
                authors=joined_names(author.name for author in article.byline_authors),
                summary_lead=article.summary_lead,
                summary=fragment(article.summary_html),
                sections=sections,
                take=article.take,
                image=digest_image(article),
            )
        )
    return DigestContent(
        edition=edition,
        articles=articles,
        intro=intro_fragments(edition.intro),
        corrections=digest_corrections(edition, carried=carried),
    )


def digest_image(article):
    """The small rendition of the article's lead image (joined by for_page()), or None."""
    if not article.lead_image_id:
        return None
    shown = images.picture(article.lead_image, images.SMALL)
    url = shown.url if urlsplit(shown.url).scheme else settings.SITE_URL + shown.url
    return DigestImage(url, shown.width, shown.height, article.lead_image_alt)


def _day(moment):
    moment = timezone.localtime(moment)
    return f"{moment.day} {moment:%B}"


def digest_corrections(edition, *, carried=()):
    """Articles corrected since the previous edition's cut-off, up to this one's; an article
    the edition carries anyway is already shown as it now reads."""
    since, _ = edition_window(edition.date, edition.cut_off)
    found = []
    for article, notes in corrections.corrected_between(since, edition.cut_off, exclude=carried):
        found.append(
            DigestCorrection(
                headline=article.headline,
                url=f"{settings.SITE_URL}{article.get_absolute_url()}#corrections",
                notes=[
                    (
                        f"{note.get_kind_display()}, {_day(note.published_at)}",
                        fragment(note.text_html),
                    )
                    for note in notes
                ],
            )
        )
    return found


# --- Rendering ---


def wrap_html(markup, width=76):
    """Break long lines at spaces that HTML treats as any other whitespace (between words and
    between attributes), never inside a quoted attribute value."""
    return "\n".join(_wrap_html_line(line, width) for line in markup.splitlines()) + "\n"


def _wrap_html_line(line, width):
    pieces, start, last_space = [], 0, None
    quote, in_tag = None, False
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif in_tag and char in "\"'":
            quote = char
        elif char in "<>":
            in_tag = char == "<"
        elif char == " ":
            if i - start > width:
                cut = last_space if last_space is not None and last_space > start else i
                pieces.append(line[start:cut])
                start = cut + 1
            last_space = i
    if len(line) - start > width and last_space is not None and last_space > start:
        pieces.append(line[start:last_space])
        start = last_space + 1
    pieces.append(line[start:])
    return "\n".join(pieces)


def wrap_text(text, width=72):
    """Plain text wrapped for reading; URLs and indented bullets stay whole."""
    lines = []
    for line in text.splitlines():
        indent = line[: len(line) - len(line.lstrip())]
        bullet = indent + "- " if line.lstrip().startswith("- ") else indent
        lines.extend(
            textwrap.wrap(
                line,
                width=width,
                subsequent_indent=" " * len(bullet),
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [""]
        )
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


def render_bodies(content, *, unsubscribe_url):
    """(text, html) of the digest for one unsubscribe link."""
    edition = content.edition
    context = {
        "edition": edition,
        "articles": content.articles,
        "intro": content.intro,
        "corrections": content.corrections,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": unsubscribe_url,
        "postal_address": settings.NEWSLETTER_POSTAL_ADDRESS,
        # The edition's public page (newsletter/archive.py): the same for every recipient.
        "archive_url": settings.SITE_URL
        + reverse("newsletter:archive-edition", args=[edition.date.isoformat()]),
    }
    text = render_to_string("newsletter/email/digest.txt", context)
    html = render_to_string("newsletter/email/digest.html", context)
    return wrap_text(text), wrap_html(html)
