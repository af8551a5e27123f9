"""The daily digest email: the edition's articles in the house format, as HTML for mail clients
(table layout, inline styles) and as plain text carrying the same words and links.

Sending 100,000 of these is mostly the cost of building MIME, so a worker builds the edition's
message once, through `NewsletterMessage` like every newsletter email, with marker values where
each recipient's parts go (address, unsubscribe token, Message-ID, Date), and then fills the
markers into the finished bytes for each recipient. The parts are written unencoded (7bit or
8bit, lines wrapped short), so a marker can never be split or transformed by an encoding; if a
message cannot be prepared that way it is composed whole for every recipient instead.
"""

import email.policy
import re
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parseaddr
from html import escape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from articles import corrections, images
from articles.markup import render_inline
from articles.models import Article
from newsletter import tokens
from newsletter.emails import NewsletterMessage, list_headers, message_id

LINK_STYLE = "color:#b3261e;"
# RFC 5322 allows 998 octets a line; markers grow by a few dozen when filled in.
LONGEST_UNENCODED_LINE = 900


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
    from newsletter.editions import edition_window  # editions builds on this module

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


def list_id():
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{settings.SITE_NAME} daily <daily.{host}>"


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
    }
    text = render_to_string("newsletter/email/digest.txt", context)
    html = render_to_string("newsletter/email/digest.html", context)
    return wrap_text(text), wrap_html(html)


def compose_digest(content, *, to, unsubscribe_url, message_id_value, date=None, subject=None):
    """The whole digest email for one recipient, ready to send."""
    text, html = render_bodies(content, unsubscribe_url=unsubscribe_url)
    headers = {
        **list_headers(unsubscribe_url),
        "List-Id": list_id(),
        "Message-ID": message_id_value,
        "Date": format_datetime(date or timezone.now()),
    }
    message = NewsletterMessage(
        subject=subject or content.edition.subject,
        body=text,
        from_email=settings.NEWSLETTER_FROM,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def unsubscribe_link(token):
    return settings.SITE_URL + reverse("newsletter:unsubscribe", args=[token])


def preview_unsubscribe():
    """The unsubscribe link in previews and test copies: it unsubscribes nobody."""
    return unsubscribe_link("not-a-subscriber")


def compose_test(edition, *, to):
    """A test copy for an editor: marked in the subject; its unsubscribe link leads nowhere."""
    return compose_digest(
        digest_content(edition),
        to=to,
        unsubscribe_url=preview_unsubscribe(),
        message_id_value=message_id(),
        subject=f"[Test] {edition.subject}",
    )


def delivery_message_id(edition, delivery_pk):
    """The same for every try of one delivery, so a repeat after a crash reads as one message
    to mail providers that collapse duplicates by Message-ID."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    stamp = int(edition.created_at.timestamp())
    return f"<digest.{edition.pk}.{delivery_pk}.{stamp}@{host}>"


# --- One message prepared, many recipients ---


class _Serialized:
    """A finished message, handed to a mail backend byte for byte."""

    def __init__(self, data):
        self.data = data

    def as_bytes(self, *args, **kwargs):
        return self.data

    def as_string(self, *args, **kwargs):
        return self.data.decode("utf-8", "surrogateescape")

    def get_charset(self):
        return None


class SerializedMessage(EmailMessage):
    """An email whose MIME bytes are already written; backends send them as they are."""

    def __init__(self, data, *, from_email, to):
        super().__init__(from_email=from_email, to=to)
        self.data = data

    def message(self, *, policy=email.policy.default):
        return _Serialized(self.data)


MARK_TO = "digest-recipient@recipient.invalid"
MARK_UNSUBSCRIBE = "digest-unsubscribe-token"
MARK_ID = "<digest-message-id@recipient.invalid>"
MARK_DATE = datetime(2000, 1, 1, tzinfo=UTC)
_MARKS = {
    MARK_TO.encode(): "to",
    MARK_UNSUBSCRIBE.encode(): "token",
    MARK_ID.encode(): "message_id",
    format_datetime(MARK_DATE).encode(): "date",
}
_MARK_PATTERN = re.compile(b"(" + b"|".join(re.escape(mark) for mark in _MARKS) + b")")
# Where each marker must appear, at least: headers (To, Message-ID, Date, List-Unsubscribe)
# and the visible unsubscribe link of both parts.
_EXPECTED = {"to": 1, "message_id": 1, "date": 1, "token": 3}


class CannotPrepare(Exception):
    """The edition's message cannot be filled in per recipient; compose each one whole."""


class PreparedDigest:
    """The edition's email built once; `message_for()` fills in one recipient's parts."""

    def __init__(self, content):
        self.content = content
        self.pieces = self._prepare(content)
        # The bare address for the SMTP envelope: the mail backend parses it for every message.
        self.envelope_sender = parseaddr(settings.NEWSLETTER_FROM)[1] or settings.NEWSLETTER_FROM

    @staticmethod
    def _prepare(content):
        message = compose_digest(
            content,
            to=MARK_TO,
            unsubscribe_url=unsubscribe_link(MARK_UNSUBSCRIBE),
            message_id_value=MARK_ID,
            date=MARK_DATE,
        ).message(policy=email.policy.SMTP)
        for part in message.iter_parts():
            body = part.get_content()
            if max(map(len, body.encode().splitlines()), default=0) > LONGEST_UNENCODED_LINE:
                raise CannotPrepare("a line is too long to send unencoded")
            cte = "7bit" if body.isascii() else "8bit"
            part.set_content(body, subtype=part.get_content_subtype(), charset="utf-8", cte=cte)
            del part["MIME-Version"]  # set_content adds it; it belongs on the message only
        pieces = _MARK_PATTERN.split(message.as_bytes())
        found = [_MARKS[piece] for piece in pieces[1::2]]
        for name, least in _EXPECTED.items():
            if found.count(name) < least:
                raise CannotPrepare(f"the {name} marker did not survive serialization")
        return [_MARKS.get(piece, piece) if i % 2 else piece for i, piece in enumerate(pieces)]

    def message_for(self, *, address, subscriber, message_id_value, date=None):
        values = {
            "to": address.encode(),
            "token": tokens.unsubscribe_token(subscriber).encode(),
            "message_id": message_id_value.encode(),
            "date": format_datetime(date or timezone.now()).encode(),
        }
        data = b"".join(values[p] if isinstance(p, str) else p for p in self.pieces)
        return SerializedMessage(data, from_email=self.envelope_sender, to=[address])


class DigestComposer:
    """Per worker: the fastest correct way to write this edition to each recipient."""

    def __init__(self, edition):
        self.edition = edition
        self.content = digest_content(edition)
        try:
            self.prepared = PreparedDigest(self.content)
        except CannotPrepare:
            self.prepared = None

    def message_for(self, *, address, subscriber, message_id_value):
        if self.prepared is not None and address.isascii():
            return self.prepared.message_for(
                address=address, subscriber=subscriber, message_id_value=message_id_value
            )
        return compose_digest(
            self.content,
            to=address,
            unsubscribe_url=unsubscribe_link(tokens.unsubscribe_token(subscriber)),
            message_id_value=message_id_value,
        )
