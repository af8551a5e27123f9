"""Revision history through the admin views: every save kept with its inlines, two revisions
compared field by field, an older one restored as a new revision."""

import pytest
from django.urls import reverse
from reversion.models import Version

from articles import corrections, revisions
from articles.models import Article
from tests import factories
from tests.desk import change_url, save_in_admin
from tests.factories import make_article, make_author, make_topic
from tests.readers import FormReader

pytestmark = pytest.mark.django_db
editor = pytest.fixture(factories.editor_user, name="editor")
writer = pytest.fixture(factories.writer_user, name="writer")


def revisions_of(article):
    return [
        v.revision
        for v in Version.objects.get_for_object(article)
        .select_related("revision")
        .order_by("revision__date_created", "pk")
    ]


@pytest.fixture
def story(editor):
    """A live article with two authors, a topic, two sections and a pick."""
    ada, ben = make_author("Ada Quill"), make_author("Ben Stroud")
    other = make_article("An older story", hours_ago=50)
    return make_article(
        "Labs agree on safety tests",
        authors=[ada, ben],
        topics=[make_topic("Policy")],
        sections=2,
        picks=[other],
        hours_ago=5,
    )


def edit_twice(client, story):
    """Revision 1: a first save. Revision 2: headline, a bullet, a new section, a topic."""
    save_in_admin(client, story)
    new_topic = make_topic("Safety")
    form = FormReader(client.get(change_url(story)).content.decode(), "article_form")
    text = dict(form.data)["text"]
    old_bullets = "• Bullet 1.2\n• Bullet 1.3\n"
    assert old_bullets in text
    text = text.replace(old_bullets, "• Bullet 1.2 revised\n• Bullet 1.4 added\n")
    text = text.rstrip() + "\n\nWhat is next: A second round in spring.\n• Talks in March\n"
    post = form.as_post(_save="Save", headline="Labs sign binding safety tests", text=text)
    post["topics"] = [str(t.pk) for t in story.topics.all()] + [str(new_topic.pk)]
    response = client.post(change_url(story), post)
    assert response.status_code == 302, response.context and response.context["errors"]


def test_every_admin_save_is_a_revision_with_its_inlines_user_and_comment(client, editor, story):
    client.force_login(editor)
    edit_twice(client, story)
    first, second = revisions_of(story)
    assert first.user == second.user == editor
    assert "Changed Headline" in second.get_comment()
    assert "Text" in second.get_comment()
    kinds = {v.content_type.model for v in second.version_set.all()}
    assert kinds == {"article", "byline", "section", "relatedpick"}
    sections = [v for v in second.version_set.all() if v.content_type.model == "section"]
    assert len(sections) == 3
    article = next(v for v in second.version_set.all() if v.content_type.model == "article")
    assert len(article.field_dict["topics"]) == 2


def test_history_lists_revisions_to_compare(client, editor, story):
    client.force_login(editor)
    edit_twice(client, story)
    html = client.get(reverse("admin:articles_article_history", args=[story.pk])).content.decode()
    first, second = revisions_of(story)
    assert (
        f'name="older" value="{first.pk}"' in html and f'name="newer" value="{second.pk}"' in html
    )
    assert "Compare the two revisions" in html and "Review and restore" in html


def test_compare_shows_every_changed_field_including_sections_and_bullets(client, editor, story):
    client.force_login(editor)
    edit_twice(client, story)
    first, second = revisions_of(story)
    url = reverse("admin:articles_article_compare", args=[story.pk])
    # Given newest first, the view still puts the older revision on the left.
    response = client.get(url, {"older": second.pk, "newer": first.pk})
    assert response.status_code == 200
    rows = {row.label: row for row in response.context["rows"]}

    assert rows["Headline"].changed
    assert "<del>agree</del>" in rows["Headline"].older and "on" in rows["Headline"].older
    assert (
        "<ins>sign</ins>" in rows["Headline"].newer
        and "<ins>binding</ins>" in rows["Headline"].newer
    )
    assert rows["Topics"].older == "Policy" and rows["Topics"].newer == "Policy<ins>, Safety</ins>"
    assert not rows["Written by"].changed and "Ada Quill" in rows["Written by"].newer
    bullets = rows["Section 1: bullets"]
    assert bullets.changed
    # An edited bullet is marked word by word; an unchanged one is left alone.
    assert (
        bullets.older
        == "<ul><li>Bullet 1.1</li><li>Bullet 1.2</li><li>Bullet 1.<del>3</del></li></ul>"
    )
    assert bullets.newer == (
        "<ul><li>Bullet 1.1</li><li>Bullet 1.2<ins> revised</ins></li>"
        "<li>Bullet 1.<ins>4 added</ins></li></ul>"
    )
    assert not rows["Section 2: bullets"].changed
    assert (
        rows["Section 3: lead-in"].older == ""
        and "What is next" in rows["Section 3: lead-in"].newer
    )
    assert not rows["Recent News picks"].changed
    html = response.content.decode()
    assert "Review the older revision and restore it" in html


def test_compare_escapes_what_editors_typed(client, editor):
    article = make_article("Plain headline")
    client.force_login(editor)
    save_in_admin(client, article)
    save_in_admin(client, article, headline="<img src=x onerror=alert(1)> headline")
    html = client.get(reverse("admin:articles_article_compare", args=[article.pk])).content.decode()
    assert "<img src=x" not in html and "&lt;img" in html


def test_restoring_an_older_revision_brings_back_its_inlines_and_is_a_new_revision(
    client, editor, story
):
    client.force_login(editor)
    edit_twice(client, story)
    corrections.correction_publish(article=story, text="Named the wrong lab.")
    first, second = revisions_of(story)
    old_version = Version.objects.get_for_object(story).get(revision=first)
    url = reverse("admin:articles_article_revision", args=[story.pk, old_version.pk])

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Labs agree on safety tests"' in html and "What is next" not in html
    story.refresh_from_db()
    assert story.headline == "Labs sign binding safety tests"  # looking changed nothing

    response = client.post(url, FormReader(html, "article_form").as_post(_save="Save"))
    assert response.status_code == 302, response.context and response.context["errors"]

    story.refresh_from_db()
    assert story.headline == "Labs agree on safety tests"
    sections = list(story.sections.order_by("position"))
    assert [s.lead_in for s in sections] == ["Lead-in 1", "Lead-in 2"]
    assert sections[0].bullets == "Bullet 1.1\nBullet 1.2\nBullet 1.3"
    assert [t.name for t in story.topics.all()] == ["Policy"]
    assert [a.name for a in story.byline_authors] == ["Ada Quill", "Ben Stroud"]
    assert story.corrections.count() == 1  # a restore never takes a correction back

    latest = revisions_of(story)[-1]
    assert len(revisions_of(story)) == 3 and latest.user == editor
    assert latest.comment.startswith("Reverted to previous version, saved on")
    # The public page shows the restored words.
    client.logout()
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Labs agree on safety tests" in page and "Bullet 1.4 added" not in page


def test_writers_see_history_of_their_drafts_but_only_editors_restore(client, editor, writer):
    draft = make_article(status=Article.Status.DRAFT, authors=[make_author(user=writer)])
    client.force_login(writer)
    save_in_admin(client, draft)
    save_in_admin(client, draft, headline="A better headline")
    history = client.get(reverse("admin:articles_article_history", args=[draft.pk]))
    assert history.status_code == 200 and "Review and restore" not in history.content.decode()
    compare = client.get(reverse("admin:articles_article_compare", args=[draft.pk]))
    assert compare.status_code == 200 and "restore it" not in compare.content.decode()
    version = Version.objects.get_for_object(draft).last()
    revision_url = reverse("admin:articles_article_revision", args=[draft.pk, version.pk])
    assert client.get(revision_url).status_code == 403
    assert client.get(reverse("admin:articles_article_recoverlist")).status_code == 403


def test_whole_lines_added_and_removed_are_marked_whole():
    older = revisions.Snapshot(sections=[{"lead_in": "A", "text": "B", "bullets": ["one", "two"]}])
    newer = revisions.Snapshot(
        sections=[{"lead_in": "A", "text": "B", "bullets": ["two", "three & <four>"]}],
        picks=["Picked"],
    )
    rows = {row.label: row for row in revisions.compare(older, newer)}
    bullets = rows["Section 1: bullets"]
    assert bullets.older == "<ul><li><del>one</del></li><li>two</li></ul>"
    assert bullets.newer == "<ul><li>two</li><li><ins>three &amp; &lt;four&gt;</ins></li></ul>"
    assert rows["Recent News picks"].older == ""
    assert rows["Recent News picks"].newer == "<ul><li><ins>Picked</ins></li></ul>"
