"""Every public page type: the same bytes for every reader, cacheable, within its query budget.

The budgets (also in the README) are counted on a cache miss, whatever the amount of content:
they must not grow with sections, bullets, authors, related picks or list length. An article's
own parts of its page are rendered once per version and kept in the cache: the budget is a view
of an article whose parts are cached; the first view of a version renders them at a fixed cost
of its own (tests/test_articles_page.py).
"""

import re

import pytest

from articles.models import Article
from tests.factories import make_article, make_author, make_topic

pytestmark = pytest.mark.django_db

QUERY_BUDGETS = {  # with the header topics cached (one more query when they are not)
    "article": 1,  # the row; its parts and Recent News are kept per version
    "home": 3,
    "topics index": 2,
    "topic": 4,
    "author": 4,
    "search": 7,  # in a transaction that plans for the words searched for: 3 more
    "feed": 4,
    "topic feed": 5,
    "sitemap": 8,  # two per section: its latest change, its paginator
    "robots": 0,
}


@pytest.fixture
def newsroom():
    topics = [make_topic(f"Topic {n}") for n in range(3)]
    authors = [make_author(f"Writer {n}") for n in range(3)]
    articles = []
    for n in range(24):
        articles.append(
            make_article(
                f"Story {n} about latency",
                authors=authors[: 1 + n % 3],
                topics=topics[: 1 + n % 2],
                sections=1 + n % 5,
                picks=articles[-3:],
                hours_ago=n + 1,
            )
        )
    return {"topic": topics[0], "author": authors[0], "article": articles[-1]}


def paths(newsroom):
    topic, author, article = newsroom["topic"], newsroom["author"], newsroom["article"]
    return {
        "article": article.get_absolute_url(),
        "home": "/",
        "topics index": "/topics/",
        "topic": topic.get_absolute_url(),
        "author": author.get_absolute_url(),
        "search": "/search/?q=latency",
        "feed": "/feeds/rss/",
        "topic feed": f"/topics/{topic.slug}/feeds/rss/",
        "sitemap": "/sitemap.xml",
        "robots": "/robots.txt",
    }


@pytest.mark.parametrize("kind", list(QUERY_BUDGETS))
def test_public_page_is_identical_for_every_reader(client, newsroom, kind):
    path = paths(newsroom)[kind]
    response = client.get(path)
    assert response.status_code == 200, path
    assert not response.cookies, path
    assert "cookie" not in response.get("Vary", "").lower(), path
    body = response.content.decode()
    assert "csrfmiddlewaretoken" not in body
    assert "nonce" not in response.get("Content-Security-Policy", "")
    assert not re.search(r"\snonce=", body)
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "s-maxage" in cache_control, path
    assert "stale-while-revalidate" in cache_control
    assert response["ETag"] and response["Last-Modified"]
    assert client.get(path).content == response.content  # a second reader gets the same bytes


@pytest.mark.parametrize("kind", list(QUERY_BUDGETS))
def test_public_page_stays_within_its_query_budget(
    client, newsroom, kind, django_assert_num_queries
):
    client.get("/topics/")  # the header's topic list is cached once for every page
    client.get(paths(newsroom)["article"])  # the article's own parts, once per version
    with django_assert_num_queries(QUERY_BUDGETS[kind]):
        response = client.get(paths(newsroom)[kind])
    assert response.status_code == 200


def test_budgets_do_not_grow_with_content(client, newsroom, django_assert_max_num_queries):
    client.get("/topics/")
    article = make_article(
        "A long story",
        sections=12,
        authors=[make_author() for _ in range(3)],
        picks=list(Article.objects.all()[:4]),
    )
    client.get(article.get_absolute_url())  # its own parts, once per version
    with django_assert_max_num_queries(QUERY_BUDGETS["article"]):
        client.get(article.get_absolute_url())
