"""The look, measured in Chromium: the stylesheet arrives, the column reads well, nothing
scrolls sideways on a small phone, dark mode and print do what they promise."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.browser

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "site.css"


def test_stylesheet_is_small_and_framework_free():
    css = STYLESHEET.read_text()
    assert len(css.encode()) < 20 * 1024
    assert "@import" not in css and "@font-face" not in css


def test_stylesheet_loads_hashed_from_whitenoise(live_server, page, newsroom):
    responses = []
    page.on("response", lambda r: responses.append(r) if r.url.endswith(".css") else None)
    page.goto(live_server.url + "/")
    assert len(responses) == 1
    sheet = responses[0]
    assert sheet.status == 200
    assert re.search(r"/static/css/site\.[0-9a-f]{12}\.css$", sheet.url)
    assert "max-age=31536000" in sheet.headers["cache-control"]
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(251, 249, 244)"
