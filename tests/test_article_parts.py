"""An article's own parts of its page, cached per version (articles/parts.py): every change
made through the write path, from the admin or from code, is on the next view."""

import re

import pytest
from django.core.cache import cache
from django.template.loader import get_template

from articles import corrections, parts, services
from articles.models import Article
from tests.desk import save_in_admin
from tests.factories import editor_user, make_article, make_author, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return make_article(
        "A story that changes",
        authors=[make_author("First Writer")],
        topics=[make_topic("Policy")],
        sections=2,
    )


def page(client, article):
    response = client.get(Article.objects.get(pk=article.pk).get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _edit_section(article):
    services.article_update(
        article=article, sections=[("Lead-in 1", "Rewritten *sentence*.", ["A bullet."])]
    )
    return "Rewritten <em>sentence</em>."


def _add_author(article):
    services.article_update(article=article, authors=[*article.authors.all(), make_author("Cleo")])
    return ">Cleo</a>"


def _add_topic(article):
    services.article_update(article=article, topics=[*article.topics.all(), make_topic("Robots")])
    return '<meta property="article:tag" content="Robots">'


def _add_correction(article):
    corrections.correction_publish(article=article, text="The lab is in **Oslo**.")
    return "The lab is in <strong>Oslo</strong>."


def _add_pick(article):
    pick = make_article("A picked story", hours_ago=500)
    for _ in range(5):  # newer stories, so only a pick can bring the old one into the list
        make_article(hours_ago=0.5)
    services.article_update(article=article, picks=[pick])
    return 'href="/news/a-picked-story'


def _rename_author(article):
    author = article.authors.get()
    author.name = "Renamed Writer"
    author.save()
    services.shown_elsewhere_saved(instance=author)
    return ">Renamed Writer</a>"


def _rename_topic(article):
    topic = article.topics.get(name="Policy")
    topic.name = "Regulation"
    topic.save()
    services.shown_elsewhere_saved(instance=topic)
    return '<meta property="article:section" content="Regulation">'


def _delete_topic(article):
    services.shown_elsewhere_delete(instance=article.topics.get(name="Policy"))
    return ('<meta property="article:tag" content="Policy">', False)


def _retake(article):
    services.article_update(article=article, take="🧭 A new take.")
    return "🧭 A new take."


@pytest.mark.parametrize(
    "write",
    [
        _edit_section,
        _add_author,
        _add_topic,
        _add_correction,
        _add_pick,
        _rename_author,
        _rename_topic,
        _delete_topic,
        _retake,
    ],
)
def test_a_change_through_the_write_path_is_on_the_next_view(client, story, write):
    page(client, story)  # the parts of this version are cached
    expected = write(Article.objects.get(pk=story.pk))
    text, present = expected if isinstance(expected, tuple) else (expected, True)
    assert (text in page(client, story)) is present


def test_an_admin_edit_is_on_the_next_view(client, story, django_user_model):
    page(client, story)
    client.force_login(editor_user(django_user_model))
    save_in_admin(client, story, headline="A story that changed", take="🧭 Edited in the admin.")
    client.logout()
    html = page(client, story)
    assert "<h1>A story that changed</h1>" in html and "🧭 Edited in the admin." in html


def test_restoring_a_revision_never_brings_back_an_old_version(client, story, django_user_model):
    """The cache key is the version: a restored revision carrying an old one would show the
    parts cached for that old version."""
    seen_versions = {Article.objects.get(pk=story.pk).version}
    client.force_login(editor_user(django_user_model))
    save_in_admin(client, story, take="🅰️ First take.")
    seen_versions.add(Article.objects.get(pk=story.pk).version)
    client.logout()
    assert "🅰️ First take." in page(client, story)
    client.force_login(editor_user(django_user_model, username="ed2"))
    save_in_admin(client, story, take="🅱️ Second take.")
    seen_versions.add(Article.objects.get(pk=story.pk).version)
    assert "🅱️ Second take." in page(client, story)
    from reversion.models import Version

    first = Version.objects.get_for_object(story).order_by("revision__date_created")[0]
    response = client.post(
        f"/admin/articles/article/{story.pk}/history/{first.pk}/",
        _restore_form(client, story, first),
    )
    assert response.status_code == 302
    client.logout()
    assert Article.objects.get(pk=story.pk).version not in seen_versions
    html = page(client, story)
    assert "🅰️ First take." in html and "🅱️ Second take." not in html


def _restore_form(client, story, version):
    from tests.readers import FormReader

    html = client.get(f"/admin/articles/article/{story.pk}/history/{version.pk}/").content
    return FormReader(html.decode(), "article_form").as_post(_save="Save")


def test_a_preview_is_rendered_fresh_and_never_cached(client, django_user_model):
    draft = make_article("Draft words", draft=True)
    client.force_login(editor_user(django_user_model))
    assert "Draft words" in client.get(draft.get_absolute_url()).content.decode()
    assert not [key for key in cache._cache if "article-parts" in key]  # noqa: SLF001


def _includes(name, found):
    source = get_template(name).template.source
    for included in re.findall(r'{%\s*include\s+"([^"#]+)', source):
        if included not in found:
            found.add(included)
            _includes(included, found)
    return found


def test_the_parts_key_covers_every_template_they_are_made_of():
    assert _includes(parts.PARTS_TEMPLATE, {parts.PARTS_TEMPLATE}) == set(parts.TEMPLATES)
