"""Recent News: picks first, then the same topic, then the latest; four items, one to three
small queries through `published()`, each walking an index."""

import re
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from articles import images, seo, services
from articles.models import Article
from articles.recent import recent_news
from tests.factories import make_article, make_topic, media_folder, picture_bytes, upload

pytestmark = pytest.mark.django_db


def recent(article):
    """Recent News as the page asks for it: with the article's topic and pick ids (which the
    page reads from the article's cached parts)."""
    topic_ids = list(article.topics.values_list("pk", flat=True))
    pick_ids = list(
        article.related_picks.order_by("position", "pk").values_list("related_id", flat=True)
    )
    return recent_news(article, topic_ids=topic_ids, pick_ids=pick_ids)


def test_picks_then_same_topic_then_latest_never_itself_never_unpublished():
    models, policy = make_topic("Models"), make_topic("Policy")
    newest_elsewhere = make_article("Newest elsewhere", hours_ago=1, topics=[policy])
    same_topic_old = make_article("Same topic, older", hours_ago=40, topics=[models])
    same_topic_new = make_article("Same topic, newer", hours_ago=20, topics=[models])
    draft_pick = make_article("Draft pick", status=Article.Status.DRAFT, topics=[models])
    scheduled = make_article("Scheduled", hours_ago=-5, topics=[models])
    old_pick = make_article("Old pick", hours_ago=300, topics=[policy])
    article = make_article(
        "The story", hours_ago=2, topics=[models], picks=[old_pick, draft_pick, scheduled]
    )

    headlines = [other.headline for other in recent(article)]

    assert headlines == ["Old pick", "Same topic, newer", "Same topic, older", "Newest elsewhere"]
    assert {same_topic_new, same_topic_old, newest_elsewhere} < set(Article.objects.published())


def test_picks_alone_fill_the_list_in_pick_order():
    others = [make_article(hours_ago=n + 10) for n in range(6)]
    article = make_article(picks=[others[4], others[1], others[3], others[0], others[2]])
    assert [o.pk for o in recent(article)] == [
        others[4].pk,
        others[1].pk,
        others[3].pk,
        others[0].pk,
    ]


def test_a_small_archive_gives_fewer_items_without_repeats():
    article = make_article()
    other = make_article()
    picker = make_article(picks=[article])
    items = recent(article)
    assert {o.pk for o in items} == {other.pk, picker.pk}
    assert len(items) == 2


@pytest.mark.parametrize(
    ("picks", "with_topics", "queries"),
    [(0, False, 1), (0, True, 1), (4, True, 1), (2, True, 2), (2, False, 2)],
)
def test_one_query_per_part_that_has_room(django_assert_num_queries, picks, with_topics, queries):
    topics = [make_topic()] if with_topics else []
    others = [make_article(topics=topics, hours_ago=n + 3) for n in range(8)]
    article = make_article(topics=topics, picks=others[:picks])
    topic_ids = [topic.pk for topic in topics]
    pick_ids = [other.pk for other in others[:picks]]
    with django_assert_num_queries(queries):
        items = recent_news(article, topic_ids=topic_ids, pick_ids=pick_ids)
    assert len(items) == 4


def test_a_topic_shared_by_too_few_articles_falls_back_to_the_latest(django_assert_num_queries):
    rare = make_topic("Rare")
    make_article("Rare one", topics=[rare], hours_ago=30)
    latest = [make_article(hours_ago=n + 1) for n in range(4)]
    article = make_article(topics=[rare], hours_ago=50)
    with django_assert_num_queries(2):
        items = recent_news(article, topic_ids=[rare.pk], pick_ids=[])
    assert [item.headline for item in items] == ["Rare one", *(a.headline for a in latest[:3])]


def test_links_load_only_the_columns_they_show(django_assert_num_queries):
    article = make_article(picks=[make_article()])
    make_article()
    items = recent(article)
    with django_assert_num_queries(0):
        for other in items:
            assert other.headline and other.dek and other.get_absolute_url()
            assert other.published_at and other.lead_image is None  # joined, not looked up
    assert items[0].get_deferred_fields() >= {"summary", "summary_html", "search_text"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="plans are PostgreSQL's")
def test_stays_on_indexes_with_100000_articles():
    """Each part of Recent News walks an index and stops at its LIMIT."""
    models, policy = make_topic("Models"), make_topic("Policy")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO articles_article (headline, slug, dek, summary_lead, summary,
                summary_html, take, status, published_at, created_at, modified_at, search_text,
                version)
            SELECT 'Story ' || n, 'story-' || n, 'Dek ' || n, '', 'Summary', 'Summary', '',
                CASE WHEN n % 10 = 0 THEN 'draft' ELSE 'published' END,
                now() - make_interval(mins => n), now(), now(), '', gen_random_uuid()
            FROM generate_series(1, 100000) AS n
            """
        )
        cursor.execute(
            """
            INSERT INTO articles_article_topics (article_id, topic_id)
            SELECT id, CASE WHEN id %% 4 = 0 THEN %s ELSE %s END FROM articles_article
            """,
            [models.pk, policy.pk],
        )
        cursor.execute("ANALYZE articles_article")
        cursor.execute("ANALYZE articles_article_topics")
    article = make_article(topics=[models], picks=[Article.objects.get(slug="story-77")])

    executed = []

    def remember(execute, sql, params, many, context):
        executed.append({"sql": sql, "params": params})
        return execute(sql, params, many, context)

    with connection.execute_wrapper(remember):
        items = recent(article)
    executed = executed[2:]  # the test's own reads of the article's topics and picks
    assert [item.slug for item in items][0] == "story-77"
    assert len(items) == 4
    assert len(executed) == 2  # the pick, then three sharing its topic
    with connection.cursor() as cursor:
        for query in executed:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"], query["params"])
            plan = cursor.fetchone()[0][0]
            nodes = list(_plan_nodes(plan["Plan"]))
            for node in nodes:
                assert node.get("Relation Name") != "articles_article" or (
                    node["Node Type"] != "Seq Scan"
                ), query["sql"]
                # Sorting a handful of picks is fine; sorting the archive is not.
                if node["Node Type"] == "Sort":
                    assert node["Actual Rows"] <= 10, query["sql"]
            assert plan["Execution Time"] < 50, (plan["Execution Time"], query["sql"])


def _plan_nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


def test_recent_news_shows_each_date_and_a_thumbnail_at_the_same_query_count(
    client, settings, tmp_path, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    media_folder(settings, tmp_path)
    topic = make_topic("Models")
    lead_image = images.store_lead_image(images.accept_upload(upload("p.jpg", picture_bytes())))
    pictured = make_article(
        "Pictured", hours_ago=5, topics=[topic], lead_image=lead_image, lead_image_alt="A disc."
    )
    plain = [make_article(f"Plain {n}", hours_ago=10 + n, topics=[topic]) for n in range(3)]
    article = make_article("The story", hours_ago=1, topics=[topic])
    cache.clear()
    client.get(article.get_absolute_url())
    # The article's row; Recent News (its pictures joined) is kept with the page
    # (tests/test_articles_page.py).
    with django_assert_num_queries(1):
        html = client.get(article.get_absolute_url()).content.decode()
    start = html.index('class="recent-news"')
    recent = html[start : html.index("</section>", start)]
    items = re.findall(r"<li.*?</li>", recent, re.S)
    assert len(items) == 4
    for item, other in zip(items, [pictured, *plain], strict=True):
        assert f'<time datetime="{seo.isotime(other.published_at)}">' in item
    thumbnail = images.picture(lead_image, images.SMALL).url
    assert f'class="recent-thumbnail" src="{thumbnail}"' in items[0]
    assert 'alt="A disc."' in items[0]
    assert not any("<img" in item for item in items[1:])


# Recent News is kept with the article's page until the next change readers see
# (articles.page_cache.kept); these tests commit, as the admin does, so that change is announced.


@pytest.mark.django_db(transaction=True)
def test_kept_recent_news_shows_a_story_published_since_and_drops_one_unpublished(client):
    topic = make_topic("Models")
    older = make_article("An older story", hours_ago=30, topics=[topic])
    article = make_article("The story", hours_ago=20, topics=[topic])
    assert "An older story" in client.get(article.get_absolute_url()).content.decode()

    make_article("A story published since", hours_ago=1, topics=[topic])
    html = client.get(article.get_absolute_url()).content.decode()
    assert "A story published since" in html

    services.article_unpublish(article=older)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "An older story" not in html
    assert "A story published since" in html


@pytest.mark.django_db(transaction=True)
def test_kept_recent_news_shows_a_scheduled_story_when_its_time_comes(client):
    topic = make_topic("Models")
    article = make_article("The story", hours_ago=20, topics=[topic])
    soon = timezone.now() + timedelta(seconds=2)
    make_article("Coming up", published_at=soon, topics=[topic])
    assert "Coming up" not in client.get(article.get_absolute_url()).content.decode()

    # Its time comes without any write: nothing announces it, the kept copy must expire.
    time.sleep(2.5)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Coming up" in html
