"""The dek: one sentence that sells the story in lists, Recent News, feeds and the digest.

Editors may leave it out. The article then carries the first sentence of its summary as its
dek (`from_summary`), set again on every save so it follows the summary, and its page shows no
standfirst (it would repeat the summary right below the headline). A dek the editor wrote is
shown on the page as the standfirst.
"""

import html
import re

from django.utils.html import strip_tags

from articles.markup import render_inline

LONGEST = 300  # the model's dek field
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'‘(])")


def from_summary(summary):
    """The first sentence of `summary` (as the editor writes it) as plain text, at most
    LONGEST characters."""
    return from_summary_html(render_inline(summary))


def from_summary_html(summary_html):
    """The same from the summary's stored HTML (what the article page loads; it defers the
    summary's source)."""
    plain = html.unescape(strip_tags(summary_html))
    first = _SENTENCE_END.split(plain, maxsplit=1)[0].strip()
    if len(first) <= LONGEST:
        return first
    return first[: LONGEST - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
