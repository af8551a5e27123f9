"""The site header's topic navigation, on every page.

It is rendered once per change, not per page: the HTML is kept in Django's cache until the next
change readers see (articles.page_cache.kept), so a page costs no query and no rendering for
it until then. The key names the template's source, so a deploy with a new navigation never
reads the old one. Lazy: a template that never shows the header (an email) never looks.
"""

from django.template.loader import get_template
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import Topic
from articles.page_cache import kept, templates_version

NAV_TEMPLATE = "articles/_nav.html"
NAV_TOPICS = 8


def navigation(request):
    return {"site_nav": SimpleLazyObject(lambda: _marking_current(_site_nav(), request.path))}


def _marking_current(html, path):
    """The navigation with the link to this very page (a topic, all topics) marked
    aria-current: marked per request on the kept HTML, which stays the same for every page."""
    link = f'<a href="{escape(path)}">'
    marked = html.replace(link, f'<a href="{escape(path)}" aria-current="page">', 1)
    return mark_safe(marked)  # noqa: S308 (our template's output)


def _site_nav():
    html = kept(f"site-nav:{templates_version(NAV_TEMPLATE)}", _render_nav)
    return mark_safe(html)  # noqa: S308 (our template's output)


def _render_nav():
    topics = [
        {"name": topic.name, "url": topic.get_absolute_url()}
        for topic in Topic.objects.filter(in_navigation=True).only("name", "slug")[:NAV_TOPICS]
    ]
    return str(get_template(NAV_TEMPLATE).render({"nav_topics": topics}))
