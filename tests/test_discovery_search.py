"""Reader search on PostgreSQL: ranking, websearch syntax, snippets, suggestions, odd input."""

import re
from html import unescape

import pytest
from django.db import connection
from django.urls import reverse

from articles import search, services
from articles.models import Article
from articles.search import clean_query, highlight, search_articles
from tests.factories import make_article, make_author, make_topic
from tests.readers import FormReader

pytestmark = pytest.mark.django_db


def found(query):
    return [article.headline for article in search_articles(clean_query(query))]


def result_headlines(response):
    html = response.content.decode()
    return re.findall(r'class="story-headline"><a href="[^"]+">([^<]+)</a>', html)


def test_the_stored_document_is_indexed_with_gin():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'articles_article'"
        )
        indexes = dict(cursor.fetchall())
    assert "USING gin (search_vector)" in indexes["article_search_idx"]
    assert "gin_trgm_ops" in indexes["article_headline_trgm_idx"]


def test_a_headline_match_outranks_a_summary_match_which_outranks_a_bullet_match():
    make_article(
        "Chip makers report a quiet quarter",
        sections=[("Details", "Nothing new.", ["Analysts mention quantum annealing once."])],
        hours_ago=1,
    )
    make_article("Quantum annealing startup raises a large round", hours_ago=30)
    make_article(
        "Lab results are mixed",
        summary="A paper on quantum annealing did not replicate.",
        hours_ago=5,
    )

    assert found("quantum annealing") == [
        "Quantum annealing startup raises a large round",
        "Lab results are mixed",
        "Chip makers report a quiet quarter",
    ]


def test_quoted_phrases_and_exclusions_follow_websearch_syntax():
    make_article("Open weights model released under a permissive license", hours_ago=1)
    make_article("Weights and measures: an open question for labs", hours_ago=2)
    make_article("Open weights, closed data: a crypto lab's model", hours_ago=3)

    assert set(found("open weights")) == {
        "Open weights model released under a permissive license",
        "Weights and measures: an open question for labs",
        "Open weights, closed data: a crypto lab's model",
    }
    assert set(found('"open weights"')) == {
        "Open weights model released under a permissive license",
        "Open weights, closed data: a crypto lab's model",
    }
    assert found('"open weights" -crypto') == [
        "Open weights model released under a permissive license"
    ]
    assert set(found("license or measures")) == {
        "Open weights model released under a permissive license",
        "Weights and measures: an open question for labs",
    }


def test_only_published_articles_are_found():
    make_article("Robotics arm learns to fold laundry", hours_ago=1)
    make_article("Robotics draft", draft=True)
    make_article("Robotics tomorrow", hours_ago=-3)
    assert found("robotics") == ["Robotics arm learns to fold laundry"]


def test_snippets_escape_the_content_and_mark_only_the_matches(client):
    make_article(
        "Parser bug found in a popular library",
        dek="Typing <b>bold</b> & <i>more</i> into the prompt broke the tokenizer.",
        sections=[
            (
                "What broke",
                "The tokenizer choked on <script>alert('tokenizer')</script> in user text.",
                ['A <img src=x onerror="tokenizer()"> tag did the same.'],
            )
        ],
    )
    response = client.get("/search/", {"q": "tokenizer"})
    html = response.content.decode()
    snippet = re.search(r'<p class="search-snippet">(.*?)</p>', html, re.S).group(1)

    assert "<mark>tokenizer</mark>" in snippet
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;more&lt;/i&gt;" in snippet
    assert "&lt;script&gt;" in snippet
    assert "<script" not in snippet and "<b>" not in snippet and "<img" not in snippet
    assert set(re.findall(r"</?([a-z]+)", snippet)) == {"mark"}


def test_highlight_turns_only_balanced_markers_into_mark():
    start, stop = "\ue000", "\ue001"
    assert highlight(f"a {start}<b>{stop} c") == "a <mark>&lt;b&gt;</mark> c"
    assert highlight(f"lonely {stop}stop and {start}start") == "lonely stop and start"
    assert highlight(f"{start}a{start}b{stop}") == "a<mark>b</mark>"
    assert highlight("\ue002b\ue003") == "&lt;b&gt;"
    assert highlight(None) == ""


def test_no_match_suggests_close_headlines_by_trigram_similarity(client):
    make_article("Tessellate releases open-weights Tess-14B under a permissive license")
    make_article("Halcyon Labs ships Halcyon 3 with a one-million-token context window")

    response = client.get("/search/", {"q": "halcyn"})
    html = response.content.decode()
    assert "0 results for <q>halcyn</q>" in html
    suggestions = html[html.index('class="search-suggestions"') :]
    assert (
        '<a href="/news/halcyon-labs-ships-halcyon-3-with-a-one-million-token-context-window/">'
        in (suggestions)
    )
    assert "Tessellate" not in suggestions

    suggested = search.suggest_headlines("tesselate permisive licnse")
    assert [article.headline for article in suggested] == [
        "Tessellate releases open-weights Tess-14B under a permissive license"
    ]
    assert search.suggest_headlines("zzzz qqqq") == []


HOSTILE = [
    "",
    "   ",
    "!!!",
    "?",
    "-",
    "--",
    '"',
    '"unbalanced quote',
    "'",
    "or",
    "-or -and",
    "a & b | c ! d",
    "(((",
    ":*",
    "\\",
    "%",
    "_",
    "'; DROP TABLE articles_article; --",
    "1' OR '1'='1",
    "foo:* & !bar <-> baz",
    "日本語のニュース",
    "ünïcødé naïve café",
    "🤖🤖 robots",
    "\u202etext reversed",
    "\x00nul in the middle\x00",
    "tab\there and\nnewline",
    "<script>alert(1)</script>",
    "\ue000marker\ue001",
    "word " * 500,
    "x" * 5000,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_odd_queries_get_a_normal_page(client, query):
    make_article("Robots learn to fold laundry", sections=[("What", "Café robots.", ["One."])])
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    value = re.search(r'<input id="search-q"[^>]* value="([^"]*)"', html).group(1)
    assert len(unescape(value)) <= search.MAX_QUERY_LENGTH
    assert "<script>alert" not in html
    assert "\x00" not in html


def test_queries_are_cleaned_and_cut_at_200_characters():
    assert clean_query("  many   spaces\x00and\tcontrols ") == "many spaces and controls"
    assert len(clean_query("y" * 1000)) == 200
    assert clean_query(None) == ""


def test_search_costs_a_fixed_number_of_queries(client, django_assert_num_queries):
    mara, theo = make_author("Mara"), make_author("Theo")
    models, policy = make_topic("Models"), make_topic("Policy")
    for n in range(12):
        make_article(
            f"Inference costs fall, part {n}",
            authors=[mara, theo][: 1 + n % 2],
            topics=[models, policy][: 1 + n % 2],
        )
    # header topics and the next scheduled publish (first page only: both kept until the next
    # change); then in a transaction (begin and commit, or a savepoint in a test's transaction)
    # that plans for these words: count, ranked page, bylines with authors, topics
    with django_assert_num_queries(9):
        assert client.get("/search/", {"q": "inference"}).status_code == 200
    with django_assert_num_queries(7):
        assert client.get("/search/", {"q": "inference", "page": 2}).status_code == 200
    # nothing found: the transaction, count, the trigram threshold, suggestions
    with django_assert_num_queries(6):
        assert client.get("/search/", {"q": "infrence"}).status_code == 200
    # no query: no search at all
    with django_assert_num_queries(0):
        assert client.get("/search/").status_code == 200


def test_search_results_are_paginated_and_keep_the_query(client, monkeypatch):
    monkeypatch.setattr(search, "RESULTS_PER_PAGE", 2)
    for n in range(5):
        make_article(f"Inference story {n}", hours_ago=n + 1)

    first = client.get("/search/", {"q": "inference & story"})
    assert 'rel="next" href="?q=inference+%26+story&amp;page=2"' in first.content.decode()
    pages = [
        result_headlines(client.get("/search/", {"q": "inference & story", "page": n}))
        for n in (1, 2, 3)
    ]
    assert sum(pages, []) == [f"Inference story {n}" for n in range(5)]
    assert client.get("/search/", {"q": "inference", "page": 4}).status_code == 404
    assert client.get("/search/", {"q": "inference", "page": "x"}).status_code == 404


def test_the_stored_document_follows_the_sections():
    article = make_article(
        "Quarterly chip report",
        sections=[("Supply", "Wafer supply is tight.", ["Lead times of 30 weeks."])],
    )
    assert "Wafer supply is tight." in article.search_text
    assert found("wafer") == ["Quarterly chip report"]

    sections = [
        (
            "Supply",
            "Packaging capacity is the bottleneck, says a [report](https://example.com/r).",
            ["Substrates are **scarce**.", "Interposers too."],
        ),
        ("Outlook", "Calmer.", []),
    ]
    services.article_update(article=article, sections=sections)

    article.refresh_from_db()
    assert article.search_text == (
        "Supply: Packaging capacity is the bottleneck, says a report.\n"
        "Substrates are scarce.\n"
        "Interposers too.\n"
        "Outlook: Calmer."
    )
    assert found("wafer") == []
    assert found("interposers") == ["Quarterly chip report"]
    assert found("example.com") == []  # link targets are not words readers search for


def test_the_trigger_reindexes_headline_dek_and_summary_on_save():
    article = make_article("Original headline", dek="A plain dek.", summary="Plain summary.")
    article.headline = "Photonic interconnect headline"
    article.dek = "Now about lidar."
    article.summary = "Mentions [neuromorphic](https://example.com/neuro) chips."
    article.save()
    assert found("photonic") == found("lidar") == found("neuromorphic") == [article.headline]
    assert found("original") == []


def test_the_substring_fallback_used_on_sqlite_honours_words_and_exclusions():
    make_article("Robots fold laundry", dek="Household robots.")
    make_article("Robots in warehouses", dek="Crypto-funded warehouse robots.")
    titles = lambda query: {a.headline for a in search._substring_search(query)}  # noqa: E731
    assert titles("robots") == {"Robots fold laundry", "Robots in warehouses"}
    assert titles('"robots" -crypto') == {"Robots fold laundry"}
    assert titles("laundry robots") == {"Robots fold laundry"}
    assert titles("-robots") == set()
    assert titles("' \" -") == set()
    assert all(a.snippet == a.dek for a in search._substring_search("robots"))


def test_an_article_model_save_keeps_the_stored_text():
    article = make_article("Keeps its text", sections=[("Lead", "Body words.", [])])
    fresh = Article.objects.get(pk=article.pk)
    fresh.headline = "Renamed but still searchable by body"
    fresh.save()
    assert found("body words") == ["Renamed but still searchable by body"]


def test_many_matches_rank_the_most_recent_and_say_so(client, monkeypatch):
    monkeypatch.setattr(search, "MAX_RANKED", 3)
    make_article("Photonics in the headline, but old", hours_ago=100)
    for n in range(4):
        make_article(f"Story {n}", summary=f"Mentions photonics once ({n}).", hours_ago=n + 1)

    assert found("photonics") == ["Story 0", "Story 1", "Story 2"]
    html = client.get("/search/", {"q": "photonics"}).content.decode()
    assert "More than 3 results for <q>photonics</q>: the best of the 3 most recent" in html
    monkeypatch.setattr(search, "MAX_RANKED", 5)
    html = client.get("/search/", {"q": "photonics"}).content.decode()
    assert "5 results for <q>photonics</q>" in html and "More than" not in html


def test_editing_a_section_in_the_admin_updates_what_search_finds(client, django_user_model):
    article = make_article(
        "Quarterly chip report",
        sections=[("Supply", "Wafer supply is tight.", ["Lead times of 30 weeks."])],
    )
    editor = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = FormReader(client.get(url).content.decode(), "article_form")
    text = dict(form.data)["text"].replace(
        "Wafer supply is tight.", "Interposer capacity is the bottleneck."
    )

    response = client.post(url, form.as_post(text=text, _save="Save"))
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()

    assert found("interposer") == ["Quarterly chip report"]
    assert found("wafer") == []


# Committed as in production: in a test's own transaction the setting would outlive the search's.
@pytest.mark.django_db(transaction=True)
def test_every_search_query_is_planned_for_the_words_searched_for(client):
    """With prepared statements PostgreSQL would settle on one plan for every search after a
    few (made without the words: for a common word, 10x slower). Each query that reads the
    search index runs with plan_cache_mode=force_custom_plan, and nothing else is left so."""
    for n in range(3):
        make_article(f"Inference costs fall, part {n}")
    modes = []

    def record_mode(execute, sql, params, many, context):
        if "search_vector" in sql:
            modes.append(connection.connection.execute("SHOW plan_cache_mode").fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record_mode):
        for _ in range(8):  # more than the five custom plans PostgreSQL makes before choosing
            assert client.get("/search/", {"q": "inference"}).status_code == 200
    assert modes and set(modes) == {"force_custom_plan"}
    assert connection.connection.execute("SHOW plan_cache_mode").fetchone()[0] == "auto"
