"""Reader lists: the front page, topic and author pages, the topics index, the header."""

import re

import pytest

from articles import images, lists, services
from tests.factories import (
    make_article,
    make_author,
    make_topic,
    media_folder,
    picture_bytes,
    upload,
)
from tests.readers import read_page

pytestmark = pytest.mark.django_db


def headlines(response):
    """Story headlines in page order."""
    html = response.content.decode()
    return re.findall(r'class="story-headline"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(lists, "ARTICLES_PER_PAGE", 3)


@pytest.fixture
def desk():
    models = make_topic("Models", description="New models and what they cost.", position=1)
    policy = make_topic("Policy", position=2)
    hidden = make_topic("Housekeeping", in_navigation=False, position=3)
    mara = make_author("Mara Lindqvist", bio="Mara covers model releases.")
    theo = make_author("Theo Okafor")
    return {"models": models, "policy": policy, "hidden": hidden, "mara": mara, "theo": theo}


def test_home_leads_with_the_newest_story_then_the_latest(client, desk):
    make_article("Older story", hours_ago=30, topics=[desk["policy"]], authors=[desk["theo"]])
    make_article(
        "Newest story",
        hours_ago=1,
        topics=[desk["models"]],
        authors=[desk["mara"], desk["theo"]],
    )
    make_article("Still a draft", draft=True)
    make_article("Scheduled for tomorrow", hours_ago=-24)

    response = client.get("/")
    html = response.content.decode()

    assert headlines(response) == ["Newest story", "Older story"]
    lead = html[html.index('class="story lead-story"') : html.index("Older story")]
    assert "Newest story" in lead
    assert "Still a draft" not in html and "Scheduled for tomorrow" not in html
    # Authors (joined with "and"), topic, and a machine-readable date on every story.
    assert re.search(r'By <a href="/authors/mara-lindqvist/">Mara Lindqvist</a> and <a', lead)
    assert '<a class="story-topic" href="/topics/models/">Models</a>' in lead
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d">', lead)
    assert read_page(response).h1 == 1


def test_home_with_nothing_published_is_a_normal_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Nothing published yet." in response.content.decode()
    assert client.get("/?page=2").status_code == 404


@pytest.mark.parametrize(
    "page", ["0", "-1", "abc", "9999", "", "1.0", " 1", "2x", "1e3", "٣", "99999999999999999999"]
)
def test_page_numbers_that_are_not_pages_are_404(client, desk, small_pages, page):
    for n in range(4):
        make_article(f"Story {n}", hours_ago=n + 1)
    assert client.get("/", {"page": page}).status_code == 404
    assert client.get("/topics/models/", {"page": page}).status_code == 404


def test_pages_split_the_list_without_gaps_or_repeats(client, desk, small_pages):
    for n in range(7):
        make_article(f"Story {n}", hours_ago=n + 1, topics=[desk["models"]])

    first, second, third = (client.get("/", {"page": n}) for n in (1, 2, 3))
    assert headlines(first) == ["Story 0", "Story 1", "Story 2"]
    assert headlines(second) == ["Story 3", "Story 4", "Story 5"]
    assert headlines(third) == ["Story 6"]
    assert client.get("/?page=4").status_code == 404
    # Newer/older links; the first page's address carries no page number.
    assert 'rel="prev" href="./"' in second.content.decode()
    assert 'rel="next" href="?page=3"' in second.content.decode()
    assert '<span class="pagination-current">Page 2</span>' in second.content.decode()
    assert read_page(second).link("canonical") == ["http://testserver/?page=2"]
    assert read_page(first).link("canonical") == ["http://testserver/"]

    topic_pages = [headlines(client.get("/topics/models/", {"page": n})) for n in (1, 2, 3)]
    assert sum(topic_pages, []) == [f"Story {n}" for n in range(7)]


def test_topic_page_lists_only_its_published_articles(client, desk):
    make_article("On models", topics=[desk["models"]], hours_ago=2)
    make_article("On both", topics=[desk["models"], desk["policy"]], hours_ago=1)
    make_article("On policy", topics=[desk["policy"]])
    make_article("Models draft", topics=[desk["models"]], draft=True)
    make_article("Models tomorrow", topics=[desk["models"]], hours_ago=-20)

    response = client.get("/topics/models/")
    assert headlines(response) == ["On both", "On models"]
    html = response.content.decode()
    assert '<h1 class="page-title">Models' in html
    assert "New models and what they cost." in html
    assert client.get("/topics/no-such-topic/").status_code == 404


def test_author_page_shows_bio_then_only_their_published_articles(client, desk):
    make_article("Mara alone", authors=[desk["mara"]], hours_ago=3)
    make_article("Together", authors=[desk["theo"], desk["mara"]], hours_ago=2)
    make_article("Theo alone", authors=[desk["theo"]], hours_ago=1)
    make_article("Mara's draft", authors=[desk["mara"]], draft=True)

    response = client.get("/authors/mara-lindqvist/")
    html = response.content.decode()
    assert headlines(response) == ["Together", "Mara alone"]
    assert html.index("Mara covers model releases.") < html.index("Together")
    assert client.get("/authors/nobody/").status_code == 404


def test_topics_index_counts_published_articles(client, desk):
    make_article("One", topics=[desk["models"]])
    make_article("Two", topics=[desk["models"], desk["policy"]])
    make_article("Draft", topics=[desk["policy"]], draft=True)

    html = client.get("/topics/").content.decode()
    assert re.search(r'href="/topics/models/">Models</a>.*?2 articles', html, re.S)
    assert re.search(r'href="/topics/policy/">Policy</a>.*?1 article<', html, re.S)
    assert re.search(r'href="/topics/housekeeping/">Housekeeping</a>.*?0 articles', html, re.S)


def test_header_shows_navigation_topics_and_a_search_form(client, desk):
    html = client.get("/").content.decode()
    nav = html[html.index('aria-label="Topics"') : html.index("</nav>")]
    assert nav.index("/topics/models/") < nav.index("/topics/policy/")
    assert "/topics/housekeeping/" not in nav
    form = re.search(r'<form class="search-form site-search"[^>]*>', html).group(0)
    assert 'action="/search/"' in form and 'method="get"' in form
    assert "csrfmiddlewaretoken" not in html


def test_navigation_marks_the_page_it_is_on_and_stays_cached(
    client, desk, django_assert_num_queries
):
    make_article("Story", topics=[desk["models"]])

    def current(path):
        html = client.get(path).content.decode()
        nav = html[html.index('aria-label="Topics"') : html.index("</nav>")]
        return re.findall(r'<a href="([^"]+)" aria-current="page">', nav)

    assert current("/") == []
    assert current("/topics/models/") == ["/topics/models/"]
    assert current("/topics/policy/") == ["/topics/policy/"]
    assert current("/topics/") == ["/topics/"]
    assert current("/authors/mara-lindqvist/") == []
    with django_assert_num_queries(4):  # the topic, page, bylines, topics: the header is kept
        assert current("/topics/models/?page=1") == ["/topics/models/"]


def test_navigation_is_cached_until_a_topic_changes(
    client, desk, django_assert_num_queries, django_capture_on_commit_callbacks
):
    make_article("Story", topics=[desk["models"]])
    client.get("/")
    with django_assert_num_queries(3):  # page, bylines, topics: the header costs nothing
        client.get("/")
    desk["policy"].name = "Regulation"
    desk["policy"].save()
    with django_capture_on_commit_callbacks(execute=True):  # caches are told on commit
        services.shown_elsewhere_saved(instance=desk["policy"])
    # the header's topics are read once more, and the next scheduled publish that bounds how
    # long they are kept
    with django_assert_num_queries(5):
        html = client.get("/").content.decode()
    assert ">Regulation</a>" in html


def _populate(desk, count):
    for n in range(count):
        make_article(
            f"Story {n}",
            hours_ago=n + 1,
            authors=[desk["mara"], desk["theo"]][: 1 + n % 2],
            topics=[desk["models"], desk["policy"]][: 1 + n % 2],
        )


@pytest.mark.parametrize("count", [2, 12])
def test_list_pages_cost_a_fixed_number_of_queries(client, desk, count, django_assert_num_queries):
    _populate(desk, count)
    # header topics and the next scheduled publish (then kept), page, bylines with authors,
    # topics; lists are not counted
    with django_assert_num_queries(5):
        assert client.get("/").status_code == 200
    # the topic or author, page, bylines with authors, topics
    with django_assert_num_queries(4):
        assert client.get("/topics/models/").status_code == 200
    with django_assert_num_queries(4):
        assert client.get("/authors/mara-lindqvist/").status_code == 200
    # topics, counts
    with django_assert_num_queries(2):
        assert client.get("/topics/").status_code == 200


def test_lists_show_each_story_date_and_a_thumbnail_when_it_has_a_picture(
    client, desk, settings, tmp_path, django_assert_num_queries
):
    media_folder(settings, tmp_path)
    _populate(desk, 3)
    lead_image = images.store_lead_image(images.accept_upload(upload("p.jpg", picture_bytes())))
    services.article_update(
        article=make_article("Pictured story", hours_ago=9, authors=[desk["mara"]]),
        topics=[desk["models"]],
        lead_image=lead_image,
        lead_image_alt="A yellow disc on blue.",
    )
    thumbnail = images.picture(lead_image, images.SMALL).url
    for path in ("/", "/topics/models/", "/authors/mara-lindqvist/", "/search/?q=story"):
        html = client.get(path).content.decode()
        stories = re.findall(r'<article class="story[^"]*">.*?</article>', html, re.S)
        assert len(stories) == 4, path
        pictured = [story for story in stories if "Pictured story" in story][0]
        assert f'class="story-image" src="{thumbnail}"' in pictured, path
        assert 'alt="A yellow disc on blue."' in pictured
        assert all(re.search(r'<time datetime="[^"]+">\w+', story) for story in stories), path
        assert html.count('class="story-image"') == 1, path
    # The picture comes joined to its story's row: the topic, the page, bylines, topics, as
    # for a list without pictures (test_list_pages_cost_a_fixed_number_of_queries).
    with django_assert_num_queries(4):
        client.get("/topics/models/?page=1")


@pytest.mark.parametrize(
    "path", ["/", "/topics/", "/topics/models/", "/authors/theo-okafor/", "/search/?q=story"]
)
def test_public_lists_are_the_same_for_every_reader(client, desk, path):
    _populate(desk, 2)
    response = client.get(path)
    assert response.status_code == 200
    assert not response.cookies
    assert "cookie" not in response.get("Vary", "").lower()
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/", "/topics/", "/topics/models/", "/authors/theo-okafor/", "/search/?q=story"]
)
def test_headings_never_skip_a_level(client, desk, path):
    _populate(desk, 3)
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", client.get(path).content.decode())]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
