"""The cache of readers' pages.

A view marked `@public_page(...)` shows every reader the same page, so one rendered copy serves
them all: from Django's cache (local memory, or Redis shared by every worker and machine), from
a CDN and from the browser (ETag / Last-Modified). What the cache keeps is decided here:

- The key is the page's path and only the query parameters the view declares, normalised the
  way the view reads them: `?utm_source=…`, `?x=1` and anything else unknown share one entry.
- Every entry carries the content *generation* read before the view ran. Writes announce
  "what readers see changed" with `content_changed()`, which bumps the generation once the
  transaction has committed; an entry is served only while its generation is current. A page
  rendered from data older than the latest change is therefore never served as current.
- No entry outlives the next scheduled publish time, so a scheduled article appears on time
  without a cron job.
- Only complete, public answers are kept: 200, no cookie, nothing marked private.
"""

import functools
import hashlib
import secrets
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.template.loader import get_template
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_etags, parse_http_date_safe, quote_etag

from articles.models import Article

GENERATION_KEY = "pages:generation"
NEXT_PUBLISH_KEY = "pages:next-publish"
# What `kept()` keeps outlives no change readers see; this bounds it for changes it cannot
# know of (a deploy with new templates, a setting).
KEPT_SECONDS = 60 * 60
# Headers that belong to one rendering and are safe to replay to every reader.
REPLAYED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Security-Policy",
    "Cache-Control",
    "Last-Modified",
    "Link",
    "Vary",
    "X-Robots-Tag",
    "X-Frame-Options",
)


def public_page(variant=None, **params):
    """Mark a view as a reader's page, the same for every reader.

    `params` names each query parameter the view reads, with the function that turns what a
    visitor sent into the value the view uses ("" for the default); the cache key holds those
    values and nothing else of the query string. `variant`, a function of the request, names
    the representation when one address has several (an Accept header read by the view)."""

    def mark(view):
        view.page_params = sorted(params.items())
        view.page_variant = variant
        return view

    return mark


def content_changed():
    """What readers see changed: every cached page is stale once the current transaction
    commits (at once outside a transaction). Called by the write paths, never by readers."""
    transaction.on_commit(_new_generation)


def _new_generation():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # never set, or evicted: any new value makes every entry stale
        cache.set(GENERATION_KEY, secrets.randbits(62), None)


def _current_generation(found):
    generation = found.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, secrets.randbits(62), None)
        generation = cache.get(GENERATION_KEY)
    return generation


def page_key(request, view):
    """The cache key of this request's page: its path, the declared parameters' normalised
    values, and the representation."""
    values = [(name, normalise(request.GET.get(name, ""))) for name, normalise in view.page_params]
    variant = view.page_variant(request) if view.page_variant else ""
    text = f"{request.path}?{urlencode([pair for pair in values if pair[1]])}#{variant}"
    return "pages:" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _seconds_to_next_publish(found, generation):
    """Seconds until the next scheduled article goes live (None: nothing is scheduled). Kept
    in the cache with the generation it was read under, like a page."""
    now = time.time()
    known = found.get(NEXT_PUBLISH_KEY)
    if known is None or known["generation"] != generation or 0 < known["at"] <= now:
        upcoming = (
            Article.objects.scheduled()
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        known = {"generation": generation, "at": upcoming.timestamp() if upcoming else 0}
        # Valid until the generation moves on or its time comes, both checked above.
        cache.set(NEXT_PUBLISH_KEY, known, None)
    return known["at"] - now if known["at"] else None


def _lifetime(found, generation, seconds):
    """How long something readers see may be kept: `seconds`, but never past the next
    scheduled publish, so that a scheduled article appears on time without a cron job."""
    until_publish = _seconds_to_next_publish(found, generation)
    if until_publish is None:
        return seconds
    return max(1, min(seconds, int(until_publish)))


@functools.cache
def templates_version(*names):
    """A short digest of these templates' source: in a cache key, it keeps a deploy that
    changes them from reading what the old ones made."""
    digest = hashlib.sha1(usedforsecurity=False)
    for name in names:
        digest.update(get_template(name).template.source.encode())
    return digest.hexdigest()[:12]


def kept(key, make, seconds=KEPT_SECONDS):
    """`make()`'s value, kept in the cache under `key` until the next change readers see.

    For what many pages show and rarely changes (the navigation, an article's Recent News):
    the value is stored with the generation read *before* `make()` runs, like a page, so a
    value computed from data older than the latest change is never served as current. The
    value must be picklable."""
    found = cache.get_many([GENERATION_KEY, NEXT_PUBLISH_KEY, key])
    generation = _current_generation(found)
    entry = found.get(key)
    if entry and entry["generation"] == generation:
        return entry["value"]
    value = make()
    lifetime = _lifetime(found, generation, seconds)
    cache.set(key, {"generation": generation, "value": value}, lifetime)
    return value


def _storable(response):
    if response.status_code != 200 or response.streaming:
        return False
    if response.cookies or response.has_header("Set-Cookie"):
        return False
    if "cookie" in response.get("Vary", "").lower():
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


class PublicPageCacheMiddleware:
    """Serve readers' pages (views marked `@public_page`) from the cache, store fresh ones,
    answer conditional requests with 304. Placed before sessions, CSRF and authentication: a
    cached page is served without touching any of them, whoever asks (a session cookie, real
    or made up, changes nothing: these pages never read it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = self._public_view(request)
        if view is None:
            return self.get_response(request)
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds:
            return self._finish(request, self.get_response(request))
        key = page_key(request, view)
        found = cache.get_many([GENERATION_KEY, NEXT_PUBLISH_KEY, key])
        generation = _current_generation(found)
        entry = found.get(key)
        if entry and entry["generation"] == generation:
            return self._conditional(request, self._replay(entry))
        # The generation was read before the view reads any content: if a change commits while
        # the page renders, the copy stored below is already stale and never served.
        response = self.get_response(request)
        if _storable(response):
            self._add_public_headers(response)
            timeout = _lifetime(found, generation, seconds)
            cache.set(key, self._entry(response, generation), timeout)
        return self._conditional(request, response)

    @staticmethod
    def _public_view(request):
        if request.method not in ("GET", "HEAD"):
            return None
        try:
            view = resolve(request.path_info).func
        except Resolver404:
            return None
        return view if hasattr(view, "page_params") else None

    def _finish(self, request, response):
        if _storable(response):
            self._add_public_headers(response)
        return self._conditional(request, response)

    def _add_public_headers(self, response):
        if not response.has_header("Cache-Control"):
            patch_cache_control(
                response,
                public=True,
                max_age=settings.PAGE_BROWSER_SECONDS,
                s_maxage=settings.PAGE_SHARED_SECONDS,
                stale_while_revalidate=settings.PAGE_STALE_SECONDS,
            )
        if not response.has_header("ETag"):
            fingerprint = hashlib.md5(response.content, usedforsecurity=False)
            response["ETag"] = quote_etag(fingerprint.hexdigest())
        if not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date()

    @staticmethod
    def _entry(response, generation):
        return {
            "generation": generation,
            "content": response.content,
            "etag": response["ETag"],
            "headers": [(h, response[h]) for h in REPLAYED_HEADERS if response.has_header(h)],
        }

    @staticmethod
    def _replay(entry):
        response = HttpResponse(entry["content"])
        for header, value in entry["headers"]:
            response[header] = value
        response["ETag"] = entry["etag"]
        return response

    def _conditional(self, request, response):
        if response.status_code != 200 or not response.has_header("ETag"):
            return response
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match:
            etags = parse_etags(if_none_match)
            if "*" in etags or response["ETag"] in etags:
                return self._not_modified(response)
        else:
            since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
            modified = parse_http_date_safe(response.get("Last-Modified", ""))
            if since and modified and modified <= since:
                return self._not_modified(response)
        return response

    @staticmethod
    def _not_modified(response):
        not_modified = HttpResponseNotModified()
        for header in ("ETag", "Last-Modified", "Cache-Control", "Content-Security-Policy", "Vary"):
            if response.has_header(header):
                not_modified[header] = response[header]
        return not_modified
