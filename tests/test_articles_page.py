"""The public article page: house format, previews, scheduling, old addresses, query budget."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article, SlugRedirect
from tests.factories import make_article, make_author, make_topic
from tests.readers import PageOutline

pytestmark = pytest.mark.django_db

# Queries for one live article page: the few columns of its row the frame reads; its own parts,
# Recent News and the header's topics come from the cache.
ARTICLE_PAGE_QUERIES = 1
# The first view of a version renders its parts (articles/parts.py): its whole row (with its
# lead image), bylines with their authors, topics, sections, corrections, Recent News picks.
ARTICLE_PARTS_QUERIES = 6
# Recent News, kept until the next change readers see: one query when the picks or the same
# topic fill it.
RECENT_NEWS_QUERIES = 1
# After a change readers see: the header's topic navigation, and the next scheduled publish
# (which bounds how long anything is kept).
SHARED_QUERIES = 2


@pytest.fixture
def no_page_cache(settings):
    # Measures the view itself; the page cache in front of it is tested on its own.
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def staff_client(client, django_user_model):
    editor = django_user_model.objects.create_user("desk", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    return client


def test_page_shows_every_part_in_house_order(client):
    topic = make_topic("Models")
    ada, ben = make_author("Ada Quill"), make_author("Ben Stroud")
    picks = [make_article(f"Picked story {n}", hours_ago=30 + n) for n in range(3)]
    article = make_article(
        "Lab ships a model",
        authors=[ada, ben],
        topics=[topic],
        sections=4,
        bullets=3,
        summary_lead="Why it matters",
        summary="The lab shipped **a model** today.",
        take="🤔 Worth watching.",
        picks=picks,
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    outline = PageOutline(response.content.decode())

    assert outline.names()[:11] == [
        "headline",
        "byline",
        "published",
        "pitch",
        "summary",
        "section",
        "section",
        "section",
        "section",
        "take",
        "recent news",
    ]
    assert outline.h1_count == 1
    assert outline.texts("headline") == ["Lab ships a model"]
    byline = outline.texts("byline")[0]
    assert byline.startswith("Written by Ada Quill and Ben Stroud Published on")
    assert (ada.get_absolute_url(), "Ada Quill") in outline.links
    assert (ben.get_absolute_url(), "Ben Stroud") in outline.links
    published = [attrs for tag, attrs in outline.tags if tag == "time"][0]
    assert published["datetime"] == article.published_at.isoformat()
    assert "updated" not in outline.names()
    assert outline.texts("summary") == ["Why it matters: The lab shipped a model today."]
    assert ("strong", {"class": "lead-in"}) in outline.tags
    assert outline.texts("section")[2] == (
        "Lead-in 3: Sentence of section 3. Bullet 3.1 Bullet 3.2 Bullet 3.3"
    )
    assert sum(1 for tag, _ in outline.tags if tag == "li") == 12 + 3
    assert outline.texts("take") == ["🤔 Worth watching."]
    assert [href for href, _ in outline.recent_links()][:3] == [p.get_absolute_url() for p in picks]
    assert ("aside", {"class": "take", "aria-label": "Our take"}) in outline.tags
    assert any(tag == "article" for tag, _ in outline.tags)
    # The topic's label sits above the headline and leads to the topic's page.
    html = response.content.decode()
    label = f'<p class="kicker"><a href="{topic.get_absolute_url()}">Models</a></p>'
    assert html.index(label) < html.index("<h1>") < html.index('class="byline"')


def test_updated_on_shows_only_after_a_meaningful_update(client):
    article = make_article(hours_ago=5)
    assert "Updated on" not in client.get(article.get_absolute_url()).content.decode()
    services.article_update(article=article, updated_at=timezone.now())
    outline = PageOutline(client.get(article.get_absolute_url()).content.decode())
    assert outline.names()[:4] == ["headline", "byline", "published", "updated"]


def test_anonymous_page_is_the_same_for_every_reader(client):
    article = make_article(sections=2)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert not response.cookies
    assert "cookie" not in response.get("Vary", "").lower()
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "Preview" not in response.content.decode()


@pytest.mark.parametrize(
    "state",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_unpublished_articles_are_404_for_readers_and_a_preview_for_staff(
    staff_client, state, django_user_model
):
    article = make_article(**state)
    url = article.get_absolute_url()
    assert Client().get(url).status_code == 404
    reader = django_user_model.objects.create_user("reader")
    logged_in_reader = Client()
    logged_in_reader.force_login(reader)
    assert logged_in_reader.get(url).status_code == 404

    response = staff_client.get(url)
    assert response.status_code == 200
    outline = PageOutline(response.content.decode())
    assert outline.names()[:2] == ["preview", "headline"]
    assert outline.texts("preview")[0].startswith("Preview: not published.")
    edit_url = reverse("admin:articles_article_change", args=[article.pk])
    assert (edit_url, "Edit") in outline.links
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_scheduled_article_goes_live_when_its_time_comes(client):
    # The real page cache stays on: it must not keep the 404 past the publish time.
    goes_live = timezone.now() + timedelta(seconds=1.5)
    article = make_article(published_at=goes_live)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert article not in Article.objects.published()
    time.sleep(max(0, (goes_live - timezone.now()).total_seconds()) + 0.1)
    assert client.get(article.get_absolute_url()).status_code == 200
    assert article in Article.objects.published()


def test_old_slug_answers_301_to_the_current_address(client):
    article = make_article(slug="new-name")
    SlugRedirect.objects.create(old_slug="old-name", article=article)
    response = client.get("/news/old-name/")
    assert response.status_code == 301
    assert response["Location"] == "/news/new-name/"
    assert client.get("/news/never-existed/").status_code == 404


def test_old_slug_of_an_unpublished_article_stays_404_for_readers(staff_client):
    article = make_article(slug="pulled-story", status=Article.Status.DRAFT)
    SlugRedirect.objects.create(old_slug="first-name", article=article)
    assert Client().get("/news/first-name/").status_code == 404
    assert staff_client.get("/news/first-name/")["Location"] == "/news/pulled-story/"


@pytest.mark.parametrize(
    ("sections", "authors", "picks"),
    [(1, 1, 0), (12, 3, 4)],
    ids=["1-section-1-author-0-picks", "12-sections-3-authors-4-picks"],
)
def test_query_count_does_not_grow_with_content(
    client, no_page_cache, django_assert_num_queries, sections, authors, picks
):
    topic = make_topic()
    others = [make_article(topics=[topic], hours_ago=10 + n) for n in range(6)]
    article = make_article(
        authors=[make_author() for _ in range(authors)],
        topics=[topic, make_topic()],
        sections=sections,
        picks=others[:picks],
        take="✅ Fine.",
    )
    cache.clear()
    first_view = ARTICLE_PAGE_QUERIES + ARTICLE_PARTS_QUERIES + RECENT_NEWS_QUERIES + SHARED_QUERIES
    with django_assert_num_queries(first_view):
        first = client.get(article.get_absolute_url())
    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        response = client.get(article.get_absolute_url())
    assert response.content == first.content
    outline = PageOutline(response.content.decode())
    assert outline.names().count("section") == sections
    assert len(outline.recent_links()) == 4
