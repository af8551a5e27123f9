"""Sitemaps and robots.txt.

`/sitemap.xml` is an index of one sitemap per kind of page (articles with their last change,
topics, authors, fixed pages) plus the Google News sitemap of the last 48 hours. Every address
is absolute on SITE_URL, whatever host the crawler used.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.db.models import Max, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from articles.lists import page_param
from articles.models import Article, Author, Topic
from articles.page_cache import public_page
from articles.seo import absolute

NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000


class SiteSitemap(Sitemap):
    """Addresses on SITE_URL rather than the requested host."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class ArticleSitemap(SiteSitemap):
    def items(self):
        return (
            Article.objects.published()
            .only("slug", "published_at", "modified_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return max(article.published_at, article.modified_at)

    def get_latest_lastmod(self):
        # One aggregate instead of loading every article.
        latest = Article.objects.published().aggregate(
            published=Max("published_at"), modified=Max("modified_at")
        )
        return max(filter(None, latest.values()), default=None)


def _latest_published(lookup):
    """The publish time of the newest published article linked to the outer row."""
    return Subquery(
        Article.objects.published()
        .filter(**{lookup: OuterRef("pk")})
        .order_by("-published_at")
        .values("published_at")[:1]
    )


class TopicSitemap(SiteSitemap):
    def items(self):
        return Topic.objects.annotate(latest=_latest_published("topics")).order_by("pk")

    def lastmod(self, topic):
        return topic.latest


class AuthorSitemap(SiteSitemap):
    def items(self):
        return Author.objects.annotate(latest=_latest_published("bylines__author")).order_by("pk")

    def lastmod(self, author):
        return author.latest


class PageSitemap(SiteSitemap):
    def items(self):
        return ["articles:home", "articles:topics"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "articles": ArticleSitemap,
    "topics": TopicSitemap,
    "authors": AuthorSitemap,
    "pages": PageSitemap,
}


def _xml(response):
    response["X-Robots-Tag"] = "noindex"
    return response


@public_page()
def index(request):
    """The sitemap index. Template: sitemaps/index.xml; context: `sitemaps` ((location,
    lastmod) pairs)."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = absolute(reverse("articles:sitemap-section", kwargs={"section": section}))
        lastmod = sitemap.get_latest_lastmod()
        entries.append((location, lastmod))
        entries.extend(
            (f"{location}?p={number}", lastmod)
            for number in range(2, sitemap.paginator.num_pages + 1)
        )
    entries.append((absolute(reverse("articles:sitemap-news")), None))
    return _xml(
        render(request, "sitemaps/index.xml", {"sitemaps": entries}, content_type="application/xml")
    )


@public_page(p=page_param)
def section(request, section):
    """One kind of page. Template: sitemaps/urlset.xml (Django's sitemap view)."""
    if section not in SITEMAPS:
        raise Http404("No such sitemap.")
    return _xml(sitemap_view(request, {section: SITEMAPS[section]}, section, "sitemaps/urlset.xml"))


@public_page()
def news(request):
    """Google News: articles of the last 48 hours, newest first, at most NEWS_LIMIT.
    Template: sitemaps/news.xml; context: `articles`, `publication`, `language`."""
    since = timezone.now() - NEWS_WINDOW
    articles = (
        Article.objects.published()
        .filter(published_at__gte=since)
        .only("headline", "slug", "published_at")
        .order_by("-published_at", "-pk")[:NEWS_LIMIT]
    )
    context = {
        "articles": articles,
        "publication": settings.SITE_NAME,
        "language": settings.SITE_LANGUAGE,
        "site_url": settings.SITE_URL,
    }
    return _xml(render(request, "sitemaps/news.xml", context, content_type="application/xml"))


@public_page()
def robots_txt(request):
    """Crawlers may read everything public except search results (endless, thin pages)."""
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('articles:search')}",
        "",
        f"Sitemap: {absolute(reverse('articles:sitemap'))}",
        f"Sitemap: {absolute(reverse('articles:sitemap-news'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
