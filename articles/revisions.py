"""Revision history of articles, kept by django-reversion.

Every admin save stores a revision of the article with its bylines, sections and Recent News
picks (topics travel with the article row), with who saved it and the admin's change message.
Corrections are deliberately not part of a revision: restoring an older revision must never
take a published correction back. Lead images are rows that never change, so a revision that
points at one can always be restored.

This module reads two revisions into comparable snapshots and lines them up field by field;
the admin shows the result and restores through django-reversion's own revision view.
"""

import difflib
import re
from dataclasses import dataclass, field

import reversion
from django.utils.formats import localize
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from articles.models import Article, Author, Byline, LeadImage, RelatedPick, Section, Topic

FOLLOW = ("bylines", "sections", "related_picks")
# Bumped by the write path on every save; an old value must never come back with a revision.
NOT_RESTORED = ("version",)

# What the comparison shows of the article row, in the order of the change form.
ARTICLE_FIELDS = [
    ("headline", "Headline"),
    ("slug", "Slug"),
    ("dek", "Dek"),
    ("topics", "Topics"),
    ("status", "Status"),
    ("published_at", "Publish time"),
    ("updated_at", "Updated on"),
    ("summary_lead", "Summary lead-in"),
    ("summary", "Summary"),
    ("take", "The take"),
    ("lead_image_id", "Lead image"),
    ("lead_image_alt", "Alt text"),
    ("lead_image_caption", "Caption"),
    ("lead_image_credit", "Credit"),
]


def register():
    """Called once when the admin loads (the admin is where revisions are made)."""
    if not reversion.is_registered(Article):
        for model in (Byline, Section, RelatedPick):
            reversion.register(model)
        reversion.register(Article, follow=FOLLOW, exclude=NOT_RESTORED)


@dataclass
class Snapshot:
    """One revision of an article, as text an editor can read."""

    fields: dict = field(default_factory=dict)
    bylines: list = field(default_factory=list)
    sections: list = field(default_factory=list)  # dicts: lead_in, text, bullets (list)
    picks: list = field(default_factory=list)


def _models_in(revision):
    found = {}
    for version in revision.version_set.all():
        found.setdefault(version._model, []).append(version.field_dict)
    return found


def snapshots(*revisions):
    """A Snapshot of the article in each revision, reading names in one query per kind."""
    contents = [_models_in(revision) for revision in revisions]
    topic_ids, author_ids, related_ids, image_ids = set(), set(), set(), set()
    for content in contents:
        for data in content.get(Article, []):
            topic_ids.update(data.get("topics", []))
            image_ids.add(data.get("lead_image_id"))
        author_ids.update(data["author_id"] for data in content.get(Byline, []))
        related_ids.update(data["related_id"] for data in content.get(RelatedPick, []))
    topics = dict(Topic.objects.filter(pk__in=topic_ids).values_list("pk", "name"))
    authors = dict(Author.objects.filter(pk__in=author_ids).values_list("pk", "name"))
    related = dict(Article.objects.filter(pk__in=related_ids).values_list("pk", "headline"))
    images = {
        image.pk: f"{image.format} {image.width} × {image.height} (picture #{image.pk})"
        for image in LeadImage.objects.filter(pk__in=image_ids)
    }
    return [_snapshot(content, topics, authors, related, images) for content in contents]


def _when(moment):
    return localize(localtime(moment)) if moment else ""


def _snapshot(content, topics, authors, related, images):
    shot = Snapshot()
    article = (content.get(Article) or [{}])[0]
    for name, label in ARTICLE_FIELDS:
        value = article.get(name)
        if name == "topics":
            value = ", ".join(sorted(topics.get(pk, f"#{pk}") for pk in value or []))
        elif name in ("published_at", "updated_at"):
            value = _when(value)
        elif name == "lead_image_id":
            value = images.get(value, "") if value else ""
        elif name == "status":
            value = Article.Status(value).label if value else ""
        shot.fields[label] = value or ""
    by_position = sorted(content.get(Byline, []), key=lambda row: row["position"])
    shot.bylines = [authors.get(row["author_id"], "?") for row in by_position]
    for row in sorted(content.get(Section, []), key=lambda row: row["position"]):
        bullets = [line.strip() for line in row["bullets"].splitlines() if line.strip()]
        shot.sections.append({"lead_in": row["lead_in"], "text": row["text"], "bullets": bullets})
    picks = sorted(content.get(RelatedPick, []), key=lambda row: row["position"])
    shot.picks = [related.get(row["related_id"], "(deleted article)") for row in picks]
    return shot


@dataclass
class Row:
    """One line of the comparison: a label and the older and newer value, marked up."""

    label: str
    older: str
    newer: str
    changed: bool


_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


def _word_diff(older, newer):
    """Both texts as HTML, removed words in <del> on the older side, added in <ins> on the
    newer side; everything escaped."""
    a, b = _WORDS.findall(older), _WORDS.findall(newer)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old_part, new_part = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(old_part)
            right.append(new_part)
        else:
            if old_part:
                left.append(f"<del>{old_part}</del>")
            if new_part:
                right.append(f"<ins>{new_part}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 (escaped above)


def _row(label, older, newer):
    older, newer = str(older or ""), str(newer or "")
    if older == newer:
        return Row(label, escape(older), escape(newer), False)
    return Row(label, *_word_diff(older, newer), True)


def _lines_row(label, older, newer):
    """A list (bullets, bylines, picks) line by line: a removed line struck, an added one
    underlined, an edited one (a line replaced by one line) marked word by word."""
    if older == newer:
        return Row(label, _list_html(map(escape, older)), _list_html(map(escape, newer)), False)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, older, newer).get_opcodes():
        old_lines, new_lines = older[i1:i2], newer[j1:j2]
        if op == "equal":
            left.extend(map(escape, old_lines))
            right.extend(map(escape, new_lines))
            continue
        paired = min(len(old_lines), len(new_lines)) if op == "replace" else 0
        for old, new in zip(old_lines[:paired], new_lines[:paired], strict=True):
            old_html, new_html = _word_diff(old, new)
            left.append(old_html)
            right.append(new_html)
        left.extend(format_html("<del>{}</del>", line) for line in old_lines[paired:])
        right.extend(format_html("<ins>{}</ins>", line) for line in new_lines[paired:])
    return Row(label, _list_html(left), _list_html(right), True)


def _list_html(items):
    """`items` are already HTML (escaped or marked up)."""
    inner = format_html_join("", "<li>{}</li>", ((item,) for item in items))
    return format_html("<ul>{}</ul>", inner) if inner else ""


def compare(older, newer):
    """Rows comparing two Snapshots: the article's fields, the byline, every section (lead-in,
    sentence, bullets) by reading position, and the Recent News picks."""
    rows = [
        _row(label, older.fields.get(label), newer.fields.get(label)) for _, label in ARTICLE_FIELDS
    ]
    rows.insert(1, _lines_row("Written by", older.bylines, newer.bylines))
    empty = {"lead_in": "", "text": "", "bullets": []}
    for n in range(max(len(older.sections), len(newer.sections))):
        old = older.sections[n] if n < len(older.sections) else empty
        new = newer.sections[n] if n < len(newer.sections) else empty
        rows.append(_row(f"Section {n + 1}: lead-in", old["lead_in"], new["lead_in"]))
        rows.append(_row(f"Section {n + 1}: sentence", old["text"], new["text"]))
        rows.append(_lines_row(f"Section {n + 1}: bullets", old["bullets"], new["bullets"]))
    rows.append(_lines_row("Recent News picks", older.picks, newer.picks))
    return rows
