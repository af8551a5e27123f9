"""Addresses every page's frame links to, worked out once per process instead of per page.

`{% link "articles:topics" %}` is `{% url "articles:topics" %}` for a name that takes no
arguments, and `{% asset "css/site.css" %}` is `{% static "css/site.css" %}`: both answers
depend only on the URLconf, the static files manifest and the script prefix, so they are kept
(per script prefix) until a setting changes. Reversing a URL costs about as much as rendering a
small include, and the header and footer hold a dozen of them.
"""

from django import template
from django.core.signals import setting_changed
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse

register = template.Library()
_known = {}


def _forget(**kwargs):
    _known.clear()


setting_changed.connect(_forget, dispatch_uid="newsroom-site-links")


@register.simple_tag
def link(name):
    key = ("url", name, get_script_prefix())
    if key not in _known:
        _known[key] = reverse(name)
    return _known[key]


@register.simple_tag
def asset(path):
    key = ("static", path)
    if key not in _known:
        _known[key] = static(path)
    return _known[key]
