"""Reader lists: the front page, topic and author pages, the topics index.

Every list reads `Article.objects.published()` through `listing()`, so each page costs the same
few queries whatever the number of articles, authors or topics on it. They page with Newer and
Older links and never count the list (`story_page()`): counting reads every published article,
the one cost of a list page that grew with the archive.
"""

import re
from urllib.parse import urlencode

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from articles import images, seo
from articles.models import Article, Author, Topic
from articles.page_cache import public_page

ARTICLES_PER_PAGE = 20
# The columns a story in a list shows; the body (summary, sections' text) stays in the database.
LIST_COLUMNS = ("headline", "slug", "dek", "status", "published_at", "updated_at")
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def listing():
    """Published articles, newest first, ready for a list: authors and topics in two queries,
    the lead image joined."""
    return (
        Article.objects.published()
        .with_byline()
        .select_related("lead_image")
        .only(*LIST_COLUMNS, *images.LIST_COLUMNS)
    )


def page_param(raw):
    """`?page=` as the page cache keys it: the first page has no number."""
    return "" if raw in ("", "1") else raw


def paginate(request, object_list, per_page, **keep):
    """The page `?page=` asks for; a number that is not a page of this list is a 404.

    The page gets `newer_url`/`older_url` (None at either end) carrying the `keep` parameters;
    the first page's address has no page number.
    """
    raw = request.GET.get("page", "1")
    if not _PAGE_NUMBER.fullmatch(raw):
        raise Http404("No such page.")
    try:
        page = Paginator(object_list, per_page).page(int(raw))
    except InvalidPage:
        raise Http404("No such page.") from None
    _add_links(page, keep)
    return page


class StoryPage:
    """One page of a list of stories, newest first, without the list's length: reading one
    story more than a page shows says whether there is an older page."""

    paginator = None  # no count, so no "of N" either

    def __init__(self, number, stories, *, older):
        self.number = number
        self.object_list = stories
        self.older = older

    def has_next(self):
        return self.older

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1


def story_page(request, stories, per_page):
    """The page of `stories` (a queryset, newest first) that `?page=` asks for; a number that
    is not a page of this list is a 404. Newer/older links as `paginate()` makes them."""
    raw = request.GET.get("page", "1")
    if not _PAGE_NUMBER.fullmatch(raw):
        raise Http404("No such page.")
    number = int(raw)
    start = (number - 1) * per_page
    found = list(stories[start : start + per_page + 1])
    if not found and number > 1:
        raise Http404("No such page.")
    page = StoryPage(number, found[:per_page], older=len(found) > per_page)
    _add_links(page, {})
    return page


def _add_links(page, keep):
    page.newer_url = page.older_url = None
    if page.has_previous():
        page.newer_url = _page_query(page.previous_page_number(), keep)
    if page.has_next():
        page.older_url = _page_query(page.next_page_number(), keep)


def _page_query(number, keep):
    params = {**keep, "page": number} if number > 1 else keep
    return "?" + urlencode(params) if params else "./"


def _page_path(path, page):
    return path if page.number == 1 else f"{path}?page={page.number}"


@public_page(page=page_param)
def home(request):
    """The front page: the lead story, then the latest. Template: articles/home.html; context:
    `page`, `lead` (page 1 only), `stories`, `meta`."""
    page = story_page(request, listing(), ARTICLES_PER_PAGE)
    stories = list(page.object_list)
    lead = stories.pop(0) if page.number == 1 and stories else None
    meta = seo.page_meta(
        title=seo.site_name() if page.number == 1 else seo.titled("Latest news", page),
        description=seo.site_description(),
        path=_page_path("/", page),
        json_ld=[seo.website_ld()] if page.number == 1 else [],
    )
    return render(
        request,
        "articles/home.html",
        {"page": page, "lead": lead, "stories": stories, "meta": meta},
    )


@public_page(page=page_param)
def topic(request, slug):
    """One topic's articles. Template: articles/topic.html; context: `topic`, `page`, `meta`."""
    topic = get_object_or_404(Topic, slug=slug)
    page = story_page(request, listing().filter(topics=topic), ARTICLES_PER_PAGE)
    path = topic.get_absolute_url()
    meta = seo.page_meta(
        title=seo.titled(topic.name, page),
        description=topic.description or f"The latest {topic.name} news.",
        path=_page_path(path, page),
        json_ld=[seo.breadcrumbs_ld([("Topics", "/topics/"), (topic.name, path)])],
    )
    return render(request, "articles/topic.html", {"topic": topic, "page": page, "meta": meta})


@public_page(page=page_param)
def author(request, slug):
    """One author's bio and articles. Template: articles/author.html; context: `author`,
    `page`, `meta`."""
    author = get_object_or_404(Author, slug=slug)
    page = story_page(request, listing().filter(bylines__author=author), ARTICLES_PER_PAGE)
    meta = seo.page_meta(
        title=seo.titled(author.name, page),
        description=author.bio or f"Articles by {author.name}.",
        path=_page_path(author.get_absolute_url(), page),
        og_type="profile",
        json_ld=[seo.person_ld(author)],
    )
    return render(request, "articles/author.html", {"author": author, "page": page, "meta": meta})


@public_page()
def topics(request):
    """Every topic with its count of published articles. Template: articles/topics.html;
    context: `topics`, `meta`."""
    counts = dict(
        Article.objects.published()
        .order_by()
        .values_list("topics")
        .annotate(n=Count("pk"))
        .values_list("topics", "n")
    )
    topics = list(Topic.objects.all())
    for each in topics:
        each.published_count = counts.get(each.pk, 0)
    meta = seo.page_meta(
        title=f"Topics · {seo.site_name()}",
        description=f"Every topic {seo.site_name()} covers.",
        path="/topics/",
    )
    return render(request, "articles/topics.html", {"topics": topics, "meta": meta})
