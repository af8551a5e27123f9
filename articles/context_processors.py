"""The site header's topic navigation, on every page.

It is rendered once per change, not per page: the HTML is kept in Django's cache, tagged with
the public-content generation that every write to an articles model bumps
(articles.page_cache.content_changed), so a page costs no query and no rendering for it until
a topic (or anything else readers see) changes. The key names the template's source, so a
deploy with a new navigation never reads the old one. Lazy: a template that never shows the
header (an email) never looks.
"""

import hashlib
from functools import cache as once

from django.core.cache import cache
from django.template.loader import get_template
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import Topic
from articles.page_cache import GENERATION_KEY

NAV_TEMPLATE = "articles/_nav.html"
NAV_TOPICS = 8
NAV_SECONDS = 60 * 60


def navigation(request):
    return {"site_nav": SimpleLazyObject(lambda: _marking_current(_site_nav(), request.path))}


def _marking_current(html, path):
    """The navigation with the link to this very page (a topic, all topics) marked
    aria-current: marked per request on the kept HTML, which stays the same for every page."""
    link = f'<a href="{escape(path)}">'
    marked = html.replace(link, f'<a href="{escape(path)}" aria-current="page">', 1)
    return mark_safe(marked)  # noqa: S308 (our template's output)


@once
def _nav_key():
    source = get_template(NAV_TEMPLATE).template.source.encode()
    return "articles:site-nav:" + hashlib.sha1(source, usedforsecurity=False).hexdigest()[:12]


def _site_nav():
    key = _nav_key()
    found = cache.get_many([GENERATION_KEY, key])
    entry = found.get(key)
    generation = found.get(GENERATION_KEY)
    if entry and entry["generation"] == generation:
        return mark_safe(entry["html"])  # noqa: S308 (our template's output)
    topics = [
        {"name": topic.name, "url": topic.get_absolute_url()}
        for topic in Topic.objects.filter(in_navigation=True).only("name", "slug")[:NAV_TOPICS]
    ]
    html = get_template(NAV_TEMPLATE).render({"nav_topics": topics})
    cache.set(key, {"generation": generation, "html": str(html)}, NAV_SECONDS)
    return html
