"""seed_demo: original demo content in the house format, safe to run again, on both databases."""

import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles import demo_art
from articles.models import Article, Author, LeadImage, RelatedPick, Section, Topic
from tests.readers import PageOutline

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """The demo's lead images are stored where a test can throw them away."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _snapshot():
    return {
        "articles": sorted(Article.objects.values_list("pk", "slug", "status")),
        "sections": Section.objects.count(),
        "picks": sorted(RelatedPick.objects.values_list("article_id", "related_id", "position")),
        "authors": Author.objects.count(),
        "topics": Topic.objects.count(),
        "images": sorted(Article.objects.values_list("slug", "lead_image__digest")),
        "stored": LeadImage.objects.count(),
    }


@pytest.mark.django_db
def test_seed_creates_the_demo_newsroom_and_running_it_again_changes_nothing():
    said = _seed()
    first = _snapshot()
    assert "12 articles (10 live, 1 scheduled, 1 draft), 3 authors, 4 topics" in said
    _seed()
    assert _snapshot() == first
    assert (first["authors"], first["topics"], len(first["articles"])) == (3, 4, 12)


@pytest.mark.django_db
def test_seed_articles_follow_the_house_format():
    _seed()
    now = timezone.now()
    articles = list(Article.objects.for_page())
    live = [a for a in articles if a.is_live]
    scheduled = [a for a in articles if a.is_scheduled]
    drafts = [a for a in articles if a.state_label == "Draft"]
    assert (len(live), len(scheduled), len(drafts)) == (10, 1, 1)
    assert timedelta(hours=20) < scheduled[0].published_at - now < timedelta(hours=25)
    assert all(now - a.published_at < timedelta(days=10) for a in live)
    for article in articles:
        assert article.dek and article.summary and article.summary_lead
        assert article.sections.all()[0].lead_in in article.search_text
        assert 1 <= len(article.byline_authors) <= 2
        sections = list(article.sections.all())
        assert 2 <= len(sections) <= 5, article.slug
        for section in sections:
            assert 2 <= len(section.bullets_html) <= 4, (article.slug, section.lead_in)
    assert sum(1 for a in articles if a.take) >= 5
    assert RelatedPick.objects.values("article").distinct().count() >= 5
    assert len({topic.slug for a in articles for topic in a.topics.all()}) == 4
    assert len({author.slug for a in articles for author in a.byline_authors}) == 3
    html = " ".join(s.text_html + " ".join(s.bullets_html) for s in Section.objects.all())
    assert "<a href=" in html and "<em>" in html
    assert any(a.shows_update for a in live)


@pytest.mark.django_db
def test_every_live_demo_article_renders(client):
    _seed()
    for article in Article.objects.published():
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200, article.slug
        outline = PageOutline(response.content.decode())
        assert outline.names()[:3] == ["headline", "byline", "published"]
        assert len(outline.recent_links()) == 4
    hidden = Article.objects.exclude(pk__in=Article.objects.published())
    assert [client.get(a.get_absolute_url()).status_code for a in hidden] == [404, 404]


def test_seed_runs_with_debug_off_before_collectstatic(tmp_path):
    """Production settings, static files not collected yet: the demo content is data, saved
    without rendering a page, so nothing asks for the static files' manifest."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/"),
        "DEBUG": "false",
        "SECRET_KEY": "seed-" + "k" * 50,
        "ALLOWED_HOSTS": "newsroom.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static-not-collected"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    for args in (["migrate", "--noinput"], ["seed_demo"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
    assert "12 articles (10 live, 1 scheduled, 1 draft)" in result.stdout
    assert not (tmp_path / "static-not-collected").exists()
    assert len(list((tmp_path / "media").glob("lead-images/*/*/w480.jpg"))) == 10


@pytest.mark.django_db
def test_most_demo_articles_carry_an_original_picture_with_alt_text_and_credit(client):
    _seed()
    pictured = Article.objects.exclude(lead_image=None)
    assert pictured.count() == 10 and LeadImage.objects.count() == 10
    for article in pictured:
        assert article.lead_image_alt.startswith("Abstract illustration: "), article.slug
        assert article.lead_image_credit == demo_art.CREDIT
        assert (article.lead_image.width, article.lead_image.height) == demo_art.SIZE
        assert article.lead_image.renditions.count() == 7
    shown = Article.objects.published().exclude(lead_image=None).first()
    page = client.get(shown.get_absolute_url()).content.decode()
    assert f'alt="{shown.lead_image_alt}"' in page and demo_art.CREDIT in page
    assert 'class="story-image"' in client.get("/").content.decode()


def test_demo_pictures_are_small_and_drawn_again_byte_for_byte(tmp_path):
    """The committed files are what the code draws (seeded by slug): change a motif, draw them
    again with the command and commit the result."""
    call_command("draw_demo_images", into=tmp_path, stdout=StringIO())
    drawn = sorted(path.name for path in tmp_path.iterdir())
    assert drawn == sorted(path.name for path in demo_art.IMAGES.iterdir())
    assert len(drawn) == 10
    for name in drawn:
        committed = (demo_art.IMAGES / name).read_bytes()
        assert 15_000 < len(committed) < 60_000, name
        assert (tmp_path / name).read_bytes() == committed, name


def test_seed_runs_on_the_embedded_sqlite_quick_start(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/"),
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'quick.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    manage("migrate", "--noinput")
    assert "12 articles (10 live, 1 scheduled, 1 draft)" in manage("seed_demo")
    assert "12 articles" in manage("seed_demo")
    assert "Admin login: user 'editor'" in manage("demo_editor")
    groups = manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "print(sorted(User.objects.get(username='editor').groups.values_list('name', flat=True)))",
    )
    assert "['Editors']" in groups
