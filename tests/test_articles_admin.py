"""The desk: writing whole articles in the admin, publishing, and who may do what."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.document import compose, parse
from articles.models import Article, Section, SlugRedirect
from articles.roles import codenames, sync_roles
from tests.factories import make_article, make_author, make_topic
from tests.readers import PageOutline

pytestmark = pytest.mark.django_db
PASTED_PAGE = Path(__file__).resolve().parent / "fixtures" / "pasted_page.txt"

CHANGELIST = "admin:articles_article_changelist"
# +2 since django-reversion (issue 10): its revision block around the changelist (actions save
# revisions) is a savepoint and its release inside the test's transaction.
CHANGELIST_QUERIES = 15


def add_url():
    return reverse("admin:articles_article_add")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def inline(prefix, rows, *, initial=0):
    """Management form plus rows, the way the admin page posts an inline formset."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = "" if value is None else str(value)
    return data


def article_data(
    *,
    headline="Lab ships a model",
    slug="lab-ships-a-model",
    dek="A one-sentence dek.",
    topics=(),
    status="draft",
    publish_at=None,
    summary_lead="",
    summary="",
    take="",
    bylines=(),
    sections=(),
    picks=(),
    initial=(0, 0),
    mark_updated=False,
):
    """POST data for the article form. Bylines and picks are inline rows (dicts; existing rows
    carry `id` and `article`); `sections` are dicts of lead_in, text and bullets (lines)."""
    data = {
        "headline": headline,
        "slug": slug,
        "dek": dek,
        "topics": [str(topic.pk) for topic in topics],
        "status": status,
        "published_at_0": publish_at.strftime("%Y-%m-%d") if publish_at else "",
        "published_at_1": publish_at.strftime("%H:%M:%S") if publish_at else "",
        # The summary, sections and take are one text box, in the house grammar.
        "text": text_of(summary_lead, summary, sections, take),
        "_save": "Save",
    }
    if mark_updated:
        data["mark_updated"] = "on"
    data.update(inline("bylines", list(bylines), initial=initial[0]))
    data.update(inline("related_picks", list(picks), initial=initial[1]))
    # Live articles also carry the corrections inline (issue 10); none added here.
    data.update(inline("corrections", []))
    return data


def text_of(summary_lead, summary, sections, take):
    triples = [(row["lead_in"], row["text"], row["bullets"].splitlines()) for row in sections]
    return compose(summary_lead, summary, triples, take)


def data_for(article, **overrides):
    """What the change form posts for `article` when the editor changes only `overrides`."""
    bylines = [
        {"id": b.pk, "article": article.pk, "author": b.author_id, "position": b.position}
        for b in article.bylines.all()
    ]
    sections = [
        {"lead_in": s.lead_in, "text": s.text, "bullets": s.bullets} for s in article.sections.all()
    ]
    picks = [
        {"id": p.pk, "article": article.pk, "related": p.related_id, "position": p.position}
        for p in article.related_picks.all()
    ]
    fields = {
        "headline": article.headline,
        "slug": article.slug,
        "dek": article.dek,
        "topics": list(article.topics.all()),
        "status": article.status,
        "publish_at": article.published_at,
        "summary_lead": article.summary_lead,
        "summary": article.summary,
        "take": article.take,
        "bylines": bylines,
        "sections": sections,
        "picks": picks,
        "initial": (len(bylines), len(picks)),
    }
    fields.update(overrides)
    return article_data(**fields)


def section_row(n, *, bullets=3):
    return {
        "lead_in": f"Point {n}",
        "text": f"Sentence {n} with [a link](https://example.com/{n}).",
        "bullets": "\n".join(f"Bullet {n}.{b} *stressed*" for b in range(1, bullets + 1)),
    }


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("edna", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def _writer(django_user_model, username, name):
    user = django_user_model.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name="Writers"))
    return user, make_author(name, user=user)


@pytest.fixture
def writer(django_user_model):
    return _writer(django_user_model, "wanda", "Wanda Writer")


@pytest.fixture
def writer_client(writer):
    client = Client()
    client.force_login(writer[0])
    return client


# Writing a whole article.


def test_editor_writes_a_whole_article_on_the_add_form_and_readers_see_it_in_order(
    editor_client,
):
    topic = make_topic("Models")
    ada, ben = make_author("Ada Quill"), make_author("Ben Stroud")
    picks = [make_article(f"Earlier story {n}", hours_ago=50 + n) for n in range(3)]
    make_article("Unrelated newer story", hours_ago=2)

    response = editor_client.post(
        add_url(),
        article_data(
            topics=[topic],
            status="published",
            summary_lead="The short version",
            summary="A lab shipped **a model** today.",
            take="🚀 Big week.",
            bylines=[{"author": ada.pk, "position": 1}, {"author": ben.pk, "position": 2}],
            sections=[section_row(n) for n in range(1, 5)],
            picks=[{"related": p.pk, "position": n} for n, p in enumerate(picks, start=1)],
        ),
    )
    assert response.status_code == 302, response.context and response.context["errors"]

    article = Article.objects.get(slug="lab-ships-a-model")
    assert article.is_live
    assert "Point 3: Sentence 3 with a link." in article.search_text
    assert [a.name for a in Article.objects.with_byline().get(pk=article.pk).byline_authors] == [
        "Ada Quill",
        "Ben Stroud",
    ]
    page = Client().get(article.get_absolute_url())
    outline = PageOutline(page.content.decode())
    assert outline.names()[:11] == [
        "headline",
        "byline",
        "published",
        "pitch",
        "summary",
        *["section"] * 4,
        "take",
        "recent news",
    ]
    assert outline.texts("byline")[0].startswith("Written by Ada Quill and Ben Stroud")
    assert outline.texts("summary") == ["The short version: A lab shipped a model today."]
    assert outline.texts("section")[3] == (
        "Point 4: Sentence 4 with a link. Bullet 4.1 stressed Bullet 4.2 stressed "
        "Bullet 4.3 stressed"
    )
    assert ("https://example.com/2", "a link") in outline.links
    assert ("em", {}) in outline.tags
    assert outline.texts("take") == ["🚀 Big week."]
    assert [href for href, _ in outline.recent_links()][:3] == [p.get_absolute_url() for p in picks]


def test_a_text_that_does_not_fit_is_named_at_its_lines_and_everything_typed_stays(
    editor_client,
):
    ada = make_author("Ada Quill")
    pick = make_article("A story to pick")
    before = Article.objects.count()
    text = (
        "Typed lead: A summary.\n"
        "\n"
        "- A bullet before any section\n"
        "\n"
        "Point 1: Sentence 1.\n"
        "• Bullet 1.1 *stressed*\n"
        "\n"
        "Empty:\n"
        "\n" + "x" * 130 + ": a lead-in too long to be one\n"
        "\n"
        "🤔 Typed take"
    )
    data = article_data(
        headline="Typed headline",
        slug="typed-headline",
        status="published",
        bylines=[{"author": ada.pk, "position": 1}],
        picks=[{"related": pick.pk, "position": 1}],
    )
    data["text"] = text.replace("\n", "\r\n")  # as a browser posts a textarea

    response = editor_client.post(add_url(), data)

    assert response.status_code == 200
    errors = list(response.context["adminform"].form.errors["text"])
    assert [error.split(":")[0] for error in errors] == ["Line 3", "Line 8", "Line 10"]
    assert "bullet before any section" in errors[0]
    assert "needs a sentence" in errors[1]
    assert "too long to be one" in errors[2]
    assert Article.objects.count() == before
    assert Section.objects.filter(lead_in__startswith="Point").count() == 0
    # Everything the editor typed is back in the form, the text as typed.
    html = response.content.decode()
    assert 'value="Typed headline"' in html
    assert response.context["adminform"].form["text"].value().replace("\r\n", "\n") == text
    inlines = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    assert inlines["bylines"].forms[0]["author"].value() == str(ada.pk)
    assert f'<option value="{ada.pk}" selected>Ada Quill</option>' in html
    assert f'<option value="{pick.pk}" selected>A story to pick</option>' in html


def test_a_pasted_page_is_published_with_exactly_its_structure(editor_client):
    page = PASTED_PAGE.read_text(encoding="utf-8")
    start = page.index("\n\n", page.index("Join Now")) + 2
    data = article_data(status="published", bylines=[{"author": make_author().pk}])
    data["text"] = page[start : page.index("Recent News")]

    response = editor_client.post(add_url(), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    article = Article.objects.get(slug="lab-ships-a-model")
    outline = PageOutline(Client().get(article.get_absolute_url()).content.decode())
    assert outline.names().count("summary") == 1
    assert outline.texts("summary")[0].startswith("Efficiency becomes the selling point: Three")
    assert outline.names().count("section") == 4
    assert [s.bullets.count("\n") + 1 for s in article.sections.all()] == [3, 3, 3, 3]
    assert outline.texts("take") == ["⚡ Watts, not parameters, are the new benchmark"]


def test_failed_publish_names_the_missing_summary(editor_client):
    response = editor_client.post(add_url(), article_data(status="published"))
    assert response.status_code == 200
    assert "Add a summary before publishing" in response.content.decode()
    assert not Article.objects.filter(slug="lab-ships-a-model").exists()


def test_failed_publish_names_the_missing_section(editor_client):
    response = editor_client.post(
        add_url(),
        article_data(status="published", summary="A typed summary that must survive."),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Add at least one section before publishing" in html
    assert "Add a summary" not in html
    assert "A typed summary that must survive." in html
    assert not Article.objects.filter(slug="lab-ships-a-model").exists()


def test_removing_every_section_of_a_live_article_is_refused(editor_client):
    article = make_article(sections=2)
    data = data_for(article, sections=[])
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "Add at least one section before publishing" in response.content.decode()
    assert article.sections.count() == 2


def test_an_incomplete_draft_saves(editor_client):
    response = editor_client.post(add_url(), article_data(status="draft"))
    assert response.status_code == 302
    article = Article.objects.get(slug="lab-ships-a-model")
    assert article.state_label == "Draft"
    assert article.published_at is None


def test_moving_a_paragraph_moves_its_section_on_the_page(editor_client):
    article = make_article(sections=3)
    rows = data_for(article)["text"].split("\n\n")
    rows[1], rows[2] = rows[2], rows[1]
    data = data_for(article)
    data["text"] = "\n\n".join(rows)

    response = editor_client.post(change_url(article), data)

    assert response.status_code == 302
    # The position constraint is deferred to commit; check it now, inside the test's transaction.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert list(article.sections.values_list("lead_in", "position")) == [
        ("Lead-in 2", 1),
        ("Lead-in 1", 2),
        ("Lead-in 3", 3),
    ]
    page = PageOutline(Client().get(article.get_absolute_url()).content.decode())
    assert [text.split(":")[0] for text in page.texts("section")] == [
        "Lead-in 2",
        "Lead-in 1",
        "Lead-in 3",
    ]


def test_the_text_box_shows_the_stored_parts_and_an_untouched_save_changes_nothing(
    editor_client,
):
    article = make_article(sections=2, take="🧭 Watch this.")
    form = editor_client.get(change_url(article)).context["adminform"].form
    document = parse(form["text"].value())
    assert [s.lead_in for s in document.sections] == ["Lead-in 1", "Lead-in 2"]
    assert document.take == "🧭 Watch this."
    stored = list(article.sections.values_list("lead_in", "text", "bullets"))
    data = data_for(article)
    data["text"] = form["text"].value().replace("\n", "\r\n")
    assert editor_client.post(change_url(article), data).status_code == 302
    assert list(article.sections.values_list("lead_in", "text", "bullets")) == stored


def test_the_database_still_refuses_two_sections_in_one_place():
    article = make_article(sections=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.create(article=article, position=1, lead_in="Twin", text="x")
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


# Addresses, updates, previews.


def test_changing_a_live_slug_keeps_the_old_address_working(editor_client):
    article = make_article(slug="first-slug")
    response = editor_client.post(change_url(article), data_for(article, slug="second-slug"))
    assert response.status_code == 302
    assert SlugRedirect.objects.get(old_slug="first-slug").article == article
    reader = Client()
    old = reader.get("/news/first-slug/")
    assert (old.status_code, old["Location"]) == (301, "/news/second-slug/")

    article.refresh_from_db()
    editor_client.post(change_url(article), data_for(article, slug="first-slug"))
    assert set(SlugRedirect.objects.values_list("old_slug", flat=True)) == {"second-slug"}
    assert reader.get("/news/first-slug/").status_code == 200
    assert reader.get("/news/second-slug/")["Location"] == "/news/first-slug/"


def test_changing_a_draft_slug_records_no_redirect(editor_client):
    article = make_article(slug="draft-slug", status=Article.Status.DRAFT)
    editor_client.post(change_url(article), data_for(article, slug="better-slug"))
    assert Article.objects.get(pk=article.pk).slug == "better-slug"
    assert not SlugRedirect.objects.exists()


def test_mark_as_updated_sets_the_time_only_when_ticked(editor_client):
    article = make_article(sections=1)
    editor_client.post(change_url(article), data_for(article, take="A trivial save"))
    article.refresh_from_db()
    assert article.updated_at is None

    before = timezone.now()
    response = editor_client.post(change_url(article), data_for(article, mark_updated=True))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.updated_at >= before
    outline = PageOutline(Client().get(article.get_absolute_url()).content.decode())
    assert "updated" in outline.names()


def test_mark_as_updated_is_refused_for_a_draft(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    response = editor_client.post(change_url(article), data_for(article, mark_updated=True))
    assert response.status_code == 200
    # The box is not shown on a draft's form; a post that ticks it anyway is refused.
    assert "Only a live article shows" in str(response.context["adminform"].form.errors)


def test_change_form_links_to_the_page_and_the_page_previews_a_draft(editor_client):
    article = make_article(status=Article.Status.DRAFT, slug="quiet-draft")
    html = editor_client.get(change_url(article)).content.decode()
    assert 'href="/news/quiet-draft/"' in html
    preview = editor_client.get("/news/quiet-draft/")
    assert preview.status_code == 200
    assert "Preview: not published." in preview.content.decode()


def test_change_form_lays_out_the_article_in_reading_order(editor_client):
    article = make_article(sections=2, topics=[make_topic()])
    html = editor_client.get(change_url(article)).content.decode()
    landmarks = [
        'name="headline"',
        'name="dek"',
        'id="bylines-group"',
        'name="topics"',
        'name="text"',
        'id="related_picks-group"',
        'name="slug"',
        "Live since",
        'name="published_at_0"',  # in the buttons' row
    ]
    positions = [html.index(mark) for mark in landmarks]
    assert positions == sorted(positions)


# The list and its actions.


def _changelist_queries(client, count):
    topic = make_topic()
    for n in range(count):
        make_article(
            authors=[make_author(), make_author()],
            topics=[topic, make_topic()],
            hours_ago=n + 1,
        )
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    return len(captured.captured_queries), response


def test_changelist_shows_authors_topics_and_state_in_fixed_queries(editor_client):
    few, _ = _changelist_queries(editor_client, 2)
    Article.objects.all().delete()
    many, response = _changelist_queries(editor_client, 20)
    # Session, user, two permission lookups, the topic and author filters, two counts, the
    # page of articles, its bylines with authors, its topics, two for the date hierarchy.
    assert few == many == CHANGELIST_QUERIES
    row = response.context["cl"].result_list[0]
    authors = ", ".join(a.name for a in row.byline_authors)
    assert f'<td class="field-written_by">{authors}</td>' in response.content.decode()
    make_article("A scheduled one", hours_ago=-3)
    make_article("A draft one", status=Article.Status.DRAFT)
    html = editor_client.get(reverse(CHANGELIST)).content.decode()
    for state in ("Draft", "Scheduled", "Live"):
        assert f'<td class="field-state">{state}</td>' in html


def test_changelist_filters_by_state_and_searches_dek(editor_client):
    make_article("Live one", dek="About quantum widgets.")
    make_article("Scheduled one", hours_ago=-2)
    make_article("Draft one", status=Article.Status.DRAFT)
    url = reverse(CHANGELIST)
    scheduled = editor_client.get(url, {"state": "scheduled"}).context["cl"].result_list
    assert [a.headline for a in scheduled] == ["Scheduled one"]
    live = editor_client.get(url, {"state": "live"}).context["cl"].result_list
    assert [a.headline for a in live] == ["Live one"]
    found = editor_client.get(url, {"q": "quantum"}).context["cl"].result_list
    assert [a.headline for a in found] == ["Live one"]


def test_publish_now_publishes_the_ready_and_names_what_the_others_lack(editor_client):
    ready = make_article("Ready draft", status=Article.Status.DRAFT, sections=2)
    empty = make_article("Empty draft", status=Article.Status.DRAFT, sections=0, summary="")
    scheduled = make_article("Tomorrow's story", hours_ago=-24)

    response = editor_client.post(
        reverse(CHANGELIST),
        {"action": "publish_now", "_selected_action": [ready.pk, empty.pk, scheduled.pk]},
        follow=True,
    )

    for article in (ready, empty, scheduled):
        article.refresh_from_db()
    assert ready.is_live and scheduled.is_live
    assert empty.state_label == "Draft"
    said = messages_of(response)
    assert "Not published: “Empty draft” needs a summary and at least one section." in said
    assert any(m.startswith("Published now: ") and "“Ready draft”" in m for m in said)


def test_unpublish_and_publish_with_the_buttons_under_the_form(editor_client):
    article = make_article("On the change form", sections=1)
    url = change_url(article)
    html = editor_client.get(url).content.decode()
    assert 'name="_publish"' not in html  # already live
    assert 'name="_unpublish"' in html and 'name="_schedule"' in html

    response = editor_client.post(url, {**data_for(article), "_unpublish": "Yes, unpublish"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.state_label == "Draft"
    assert Client().get(article.get_absolute_url()).status_code == 404

    html = editor_client.get(url).content.decode()
    assert 'value="Save draft"' in html and 'name="_publish"' in html
    assert 'name="_unpublish"' not in html
    publish = {**data_for(article), "_publish": "Publish now"}
    response = editor_client.post(url, publish, follow=True)
    article.refresh_from_db()
    assert article.is_live
    assert article.published_at > timezone.now() - timedelta(minutes=1)
    assert "Published: readers see it now." in messages_of(response)


def test_publish_now_on_the_add_form_publishes_the_pasted_article(editor_client):
    data = article_data(sections=[section_row(1)], summary="Done.")
    del data["_save"]
    data["_publish"] = "Publish now"
    assert editor_client.post(add_url(), data).status_code == 302
    assert Article.objects.get(slug="lab-ships-a-model").is_live


def test_schedule_takes_a_time_to_come_and_refuses_one_gone(editor_client):
    article = make_article(status=Article.Status.DRAFT, sections=1)
    soon = timezone.now() + timedelta(days=1)
    data = {**data_for(article, publish_at=soon), "_schedule": "Schedule"}
    assert editor_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.is_scheduled and abs(article.published_at - soon) < timedelta(seconds=1)

    past = {**data_for(article, publish_at=timezone.now() - timedelta(hours=1)), "_schedule": "S"}
    response = editor_client.post(change_url(article), past)
    assert response.status_code == 200
    assert "pick a date and time still to come" in response.content.decode()
    assert '<details class="desk-more" open>' in response.content.decode()


def test_a_draft_without_a_dek_carries_the_summarys_first_sentence_and_no_standfirst(
    editor_client,
):
    data = article_data(dek="", status="published", summary="First **one**. Second one.")
    data["text"] = "Lead: First **one**. Second one.\n\nPoint: Sentence.\n• Bullet"
    assert editor_client.post(add_url(), data).status_code == 302
    article = Article.objects.get(slug="lab-ships-a-model")
    assert article.dek == "First one." and not article.has_own_dek
    page = Client().get(article.get_absolute_url()).content.decode()
    assert 'class="standfirst"' not in page
    form = editor_client.get(change_url(article)).context["adminform"].form
    assert form["dek"].value() == ""  # shown empty: the editor has not written one

    # The summary changes: the dek follows it, until the editor writes one.
    changed = {**data_for(article, dek=""), "text": data["text"].replace("First", "Newer")}
    assert editor_client.post(change_url(article), changed).status_code == 302
    article.refresh_from_db()
    assert article.dek == "Newer one."
    own = data_for(article, dek="A dek of our own.")
    assert editor_client.post(change_url(article), own).status_code == 302
    page = Client().get(article.get_absolute_url()).content.decode()
    assert '<p class="standfirst">A dek of our own.</p>' in page


# Roles.


def test_roles_exist_after_migrate_with_exactly_their_permissions():
    for role in ("Editors", "Writers"):
        held = set(
            Group.objects.get(name=role)
            .permissions.filter(content_type__app_label="articles")
            .values_list("codename", flat=True)
        )
        assert held == codenames(role)
    writers = codenames("Writers")
    assert "publish_article" not in writers
    assert "publish_article" in codenames("Editors")
    assert {"add_article", "change_article", "view_article", "view_author"} <= writers
    assert "delete_article" not in writers


def test_sync_roles_removes_stray_article_permissions_and_keeps_other_apps():
    from django.apps import apps

    writers = Group.objects.get(name="Writers")
    stray = Permission.objects.get(codename="publish_article")
    elsewhere = Permission.objects.get(codename="view_group")
    writers.permissions.add(stray, elsewhere)
    sync_roles(apps.get_app_config("articles"))
    assert not writers.permissions.filter(pk=stray.pk).exists()
    assert writers.permissions.filter(pk=elsewhere.pk).exists()


def test_writer_saves_a_draft_but_a_post_cannot_publish_it(writer, writer_client):
    _, me = writer
    sneaky = article_data(
        status="published",
        publish_at=timezone.now() - timedelta(hours=1),
        summary="Complete enough.",
        bylines=[{"author": me.pk, "position": 1}],
        sections=[section_row(1)],
    )
    assert writer_client.post(add_url(), sneaky).status_code == 302
    article = Article.objects.get(slug="lab-ships-a-model")
    assert (article.status, article.published_at) == ("draft", None)

    again = data_for(article, status="published", publish_at=timezone.now())
    assert writer_client.post(change_url(article), again).status_code == 302
    article.refresh_from_db()
    assert article.status == "draft"
    assert Client().get(article.get_absolute_url()).status_code == 404


def test_writer_has_no_publishing_actions_and_a_forged_one_does_nothing(writer, writer_client):
    _, me = writer
    mine = make_article(status=Article.Status.DRAFT, authors=[me], sections=2)
    listing = writer_client.get(reverse(CHANGELIST)).content.decode()
    assert "publish_now" not in listing
    assert "unpublish" not in listing

    response = writer_client.post(
        reverse(CHANGELIST), {"action": "publish_now", "_selected_action": [mine.pk]}, follow=True
    )
    mine.refresh_from_db()
    assert mine.status == "draft"
    assert response.status_code == 200
    assert not [m for m in messages_of(response) if "Published" in m]
    live = make_article(authors=[me])
    forged = writer_client.post(change_url(mine), {**data_for(mine), "_publish": "Publish now"})
    assert forged.status_code == 403
    html = writer_client.get(change_url(mine)).content.decode()
    assert 'value="Save draft"' in html
    assert not any(f'name="{b}"' in html for b in ("_publish", "_schedule", "_unpublish"))
    writer_client.post(reverse(CHANGELIST), {"action": "unpublish", "_selected_action": [live.pk]})
    mine.refresh_from_db()
    live.refresh_from_db()
    assert (mine.status, live.status) == ("draft", "published")


def test_writer_cannot_change_another_writers_draft(django_user_model, writer_client):
    _, other = _writer(django_user_model, "otto", "Otto Other")
    theirs = make_article("Not yours", status=Article.Status.DRAFT, authors=[other])
    response = writer_client.post(change_url(theirs), data_for(theirs, headline="Hijacked"))
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.headline == "Not yours"
    # Reading is allowed, read-only.
    view = writer_client.get(change_url(theirs))
    assert view.status_code == 200
    assert 'name="headline"' not in view.content.decode()


def test_writer_cannot_change_their_article_once_published(writer, writer_client):
    _, me = writer
    live = make_article("Gone live", authors=[me])
    response = writer_client.post(change_url(live), data_for(live, headline="Late edit"))
    assert response.status_code == 403
    live.refresh_from_db()
    assert live.headline == "Gone live"


def test_writer_edits_own_draft_and_must_stay_in_the_byline(writer, writer_client):
    _, me = writer
    coauthor = make_author("Co Author")
    mine = make_article("My draft", status=Article.Status.DRAFT, authors=[me], sections=1)

    ok = writer_client.post(change_url(mine), data_for(mine, headline="My better draft"))
    assert ok.status_code == 302
    mine.refresh_from_db()
    assert mine.headline == "My better draft"

    data = data_for(mine, headline="Without me")
    data["bylines-0-author"] = str(coauthor.pk)
    refused = writer_client.post(change_url(mine), data)
    assert refused.status_code == 200
    assert "Keep yourself (Wanda Writer) in the byline" in refused.content.decode()
    mine.refresh_from_db()
    assert mine.headline == "My better draft"


def test_writer_cannot_delete(writer, writer_client):
    _, me = writer
    mine = make_article(status=Article.Status.DRAFT, authors=[me])
    url = reverse("admin:articles_article_delete", args=[mine.pk])
    assert writer_client.post(url, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=mine.pk).exists()


def test_editor_changes_anyone_s_article(django_user_model, editor_client):
    _, other = _writer(django_user_model, "otto", "Otto Other")
    theirs = make_article("Their story", authors=[other], sections=1)
    response = editor_client.post(change_url(theirs), data_for(theirs, headline="Edited"))
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.headline == "Edited"


def test_writer_without_an_author_profile_is_told_why_nothing_saves(django_user_model):
    user = django_user_model.objects.create_user("newbie", is_staff=True)
    user.groups.add(Group.objects.get(name="Writers"))
    client = Client()
    client.force_login(user)
    response = client.post(add_url(), article_data(bylines=[]))
    assert response.status_code == 200
    assert "Your account is not linked to an author yet" in response.content.decode()
    assert not Article.objects.filter(slug="lab-ships-a-model").exists()
