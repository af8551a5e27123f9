"""Browser fixtures: the demo newsroom, axe-core checks and screenshots saved as test
artifacts (the live server itself is in tests/conftest.py)."""

import io
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from articles.corrections import correction_publish
from articles.models import Article

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCHEMES = ("light", "dark")
_axe = Axe()


@pytest.fixture
def newsroom(transactional_db, settings, tmp_path):
    """The demo newsroom (most articles with a lead image), its newest article with a caption
    under its picture and a correction, so every part of the page is on show; returns the live
    articles, newest first."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    newest = Article.objects.published().first()
    assert newest.lead_image_id, "the demo's newest article carries a picture"
    newest.lead_image_caption = "Long inputs, one after another."
    newest.save()
    correction_publish(
        article=newest, text="An earlier version gave the wrong output price; it is **$24**."
    )
    return list(Article.objects.published().for_page())


def axe_violations(page):
    """axe-core's WCAG 2.0/2.1/2.2 A and AA violations on the page, as a readable report."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = _axe.run(page, options=options)
    if results.violations_count == 0:
        return ""
    return results.generate_report()


def assert_accessible(page, label):
    """Zero axe violations in light and in dark mode."""
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        report = axe_violations(page)
        assert not report, f"{label} ({scheme}):\n{report}"
    page.emulate_media(color_scheme="light")


# A full-page shot shows what a reader sees after scrolling: lazy pictures loaded first.
LOAD_EVERY_IMAGE = """async () => {
  const images = [...document.images];
  images.forEach((img) => { img.loading = "eager"; });
  await Promise.all(images.map((img) => img.decode().catch(() => null)));
}"""


def screenshot(page, name, *, widths=(375, 1280), schemes=SCHEMES, full_page=True):
    """Save the page at each width and colour scheme under test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate(LOAD_EVERY_IMAGE)
    original = page.viewport_size
    paths = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        for scheme in schemes:
            page.emulate_media(color_scheme=scheme)
            path = ARTIFACTS / f"{name}-{width}-{scheme}.png"
            page.screenshot(path=path, full_page=full_page)
            paths.append(path)
    page.set_viewport_size(original)
    page.emulate_media(color_scheme="light")
    return paths
