"""The newsroom's inline Markdown: links, bold and italic, nothing else.

Editors type `[text](url)`, `**bold**` and `*italic*`. markdown-it-py parses with every other
rule switched off (raw HTML is escaped, not passed through), then nh3 keeps only the tags and
link schemes we allow, so whatever else an editor types is shown as text, never executed.
Rendering happens when an article is saved; pages read the stored HTML.
"""

from urllib.parse import urlsplit

import nh3
from django.conf import settings
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"a", "strong", "em"}
ALLOWED_ATTRIBUTES = {"a": {"href", "rel"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(
    ["link", "emphasis", "escape"]
)


def _is_external(href):
    parts = urlsplit(href)
    if parts.scheme not in {"", "http", "https"} or not parts.netloc:
        return False  # relative links and mailto: stay on our side
    # Scheme-relative (//host/path) links are external too.
    return parts.netloc.lower() != urlsplit(settings.SITE_URL).netloc.lower()


def _allowlisted_attribute(tag, name, value):
    return value if name in ALLOWED_ATTRIBUTES.get(tag, ()) else None


def render_inline(text):
    """Return safe HTML for one paragraph or bullet of editor text."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    tokens = _parser.parseInline(text)
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                href = child.attrGet("href") or ""
                if _is_external(href):
                    child.attrSet("rel", "noopener")
    html = _parser.renderer.render(tokens, _parser.options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        # No attribute beyond the allowlist, not even nh3's default generic ones (title, lang).
        attribute_filter=_allowlisted_attribute,
        link_rel=None,
        strip_comments=True,
    )


def render_lines(text):
    """Render one bullet per non-empty line."""
    return [render_inline(line) for line in (text or "").splitlines() if line.strip()]
