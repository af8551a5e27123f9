"""The topics in the site header, on every page.

They are read from Django's cache, tagged with the public-content generation that every write
to an articles model bumps (newsroom.public_cache.content_changed), so a page costs no query for
them until a topic (or anything else readers see) changes. Lazy: a template that never shows
the header (an email) never looks.
"""

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from articles.models import Topic
from newsroom.public_cache import GENERATION_KEY

NAV_KEY = "articles:nav-topics"
NAV_TOPICS = 8
NAV_SECONDS = 60 * 60


def navigation(request):
    return {"nav_topics": SimpleLazyObject(_nav_topics)}


def _nav_topics():
    found = cache.get_many([GENERATION_KEY, NAV_KEY])
    entry = found.get(NAV_KEY)
    generation = found.get(GENERATION_KEY)
    if entry and entry["generation"] == generation:
        return entry["topics"]
    topics = [
        {"name": topic.name, "url": topic.get_absolute_url()}
        for topic in Topic.objects.filter(in_navigation=True).only("name", "slug")[:NAV_TOPICS]
    ]
    cache.set(NAV_KEY, {"generation": generation, "topics": topics}, NAV_SECONDS)
    return topics
