"""The cache of rendered anonymous pages.

Anonymous pages are the same for every reader, so one rendered copy serves them all: from this
cache (Django's cache: local memory, or Redis shared by every worker), from a CDN, and from the
browser (ETag / Last-Modified). Entries are dropped when newsroom content changes (a generation
number bumped by `content_changed()`) and never outlive the next scheduled publish time, so a
scheduled article appears on time without a cron job. Staff and logged-in readers (anyone who
sends a session cookie) bypass it.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_etags, parse_http_date_safe, quote_etag

from articles.models import Article

GENERATION_KEY = "public-page:generation"
NEXT_PUBLISH_KEY = "public-page:next-publish"
# Headers that belong to one rendering and are safe to replay to every reader.
REPLAYED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Security-Policy",
    "Cache-Control",
    "Last-Modified",
    "Link",
    "X-Robots-Tag",
    "X-Frame-Options",
)


def content_changed():
    """Forget every cached page: called whenever anything a reader can see changes."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, int(time.time() * 1000), None)
    cache.delete(NEXT_PUBLISH_KEY)


def _next_publish_in():
    """Seconds until the next scheduled article goes live (None when nothing is scheduled)."""
    stamp = cache.get(NEXT_PUBLISH_KEY)
    if stamp is None:
        upcoming = (
            Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        stamp = upcoming.timestamp() if upcoming else 0.0
        cache.set(NEXT_PUBLISH_KEY, stamp, settings.PAGE_CACHE_SECONDS)
    if not stamp:
        return None
    return stamp - time.time()


def _is_anonymous(request):
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


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
    """Serve anonymous GET/HEAD pages from the cache; store fresh renderings; answer 304s."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.staff_prefixes = ("/" + settings.ADMIN_URL, "/static/", "/media/")

    def __call__(self, request):
        if (
            request.method not in ("GET", "HEAD")
            or not _is_anonymous(request)
            or request.path.startswith(self.staff_prefixes)
        ):
            return self.get_response(request)
        seconds = settings.PAGE_CACHE_SECONDS
        key = (
            "public-page:"
            + hashlib.sha1(  # noqa: S324 (a cache key, not security)
                request.get_full_path().encode(), usedforsecurity=False
            ).hexdigest()
        )
        if seconds:
            found = cache.get_many([GENERATION_KEY, key])
            entry = found.get(key)
            if entry and entry["generation"] == found.get(GENERATION_KEY):
                return self._replay(request, entry)
        response = self.get_response(request)
        if not _storable(response):
            return response
        self._add_public_headers(response)
        if seconds:
            entry = self._entry(response)
            timeout = seconds
            until_publish = _next_publish_in()
            if until_publish is not None:
                timeout = max(1, min(seconds, int(until_publish)))
            if cache.get(GENERATION_KEY) is None:
                content_changed()
            entry["generation"] = cache.get(GENERATION_KEY)
            cache.set(key, entry, timeout)
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
            fingerprint = hashlib.md5(response.content, usedforsecurity=False)  # noqa: S324
            response["ETag"] = quote_etag(fingerprint.hexdigest())
        if not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date()

    def _entry(self, response):
        return {
            "content": response.content,
            "etag": response["ETag"],
            "headers": [(h, response[h]) for h in REPLAYED_HEADERS if response.has_header(h)],
        }

    def _replay(self, request, entry):
        response = HttpResponse(entry["content"])
        for header, value in entry["headers"]:
            response[header] = value
        response["ETag"] = entry["etag"]
        return self._conditional(request, response)

    def _conditional(self, request, response):
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
        for header in ("ETag", "Last-Modified", "Cache-Control", "Content-Security-Policy"):
            if response.has_header(header):
                not_modified[header] = response[header]
        return not_modified
