"""Editorial integrity in Chromium: an editor adds a lead image and a correction in the admin
and a reader sees both; a preview link opens a draft for someone without an account."""

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import picture_bytes

pytestmark = pytest.mark.browser
PASSWORD = "integrity-desk-password-5"


@pytest.fixture
def desk(transactional_db):
    user = User.objects.create_user("integrity-desk", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def log_in(page, live_server):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "integrity-desk")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_have_count(1)


def test_editor_adds_a_lead_image_and_a_correction_and_readers_see_them(
    live_server, page, newsroom, desk, tmp_path
):
    story = next(a for a in newsroom if not a.lead_image_id)
    picture = tmp_path / "harbour.png"
    picture.write_bytes(picture_bytes("PNG", (1800, 1000)))

    log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    # Both are folded away until the story needs them.
    page.locator("summary").filter(has_text="Lead image").click()
    page.locator("#corrections-group summary").click()
    page.set_input_files("#id_lead_image_upload", str(picture))
    page.fill("#id_lead_image_alt", "A yellow disc over a red bar on a blue field")
    page.fill("#id_lead_image_credit", "Illustration: Test desk")
    correction = page.locator("#corrections-group .inline-related:not(.empty-form)").last
    correction.locator("select[name$=-kind]").select_option("correction")
    correction.locator("textarea[name$=-text]").fill(
        "An earlier version named the wrong city; the lab is in *Ghent*."
    )
    page.get_by_role("button", name="Update live page").click()
    expect(page.locator(".messagelist .success")).to_have_count(1)
    story.refresh_from_db()
    assert story.lead_image_id and story.corrections.count() == 1

    reader = page.context.browser.new_page()  # no session: what every reader gets
    reader.goto(live_server.url + story.get_absolute_url())
    image = reader.locator("figure.lead-image img")
    expect(image).to_have_attribute("alt", "A yellow disc over a red bar on a blue field")
    assert image.get_attribute("loading") == "eager"
    assert image.get_attribute("width") == "1200" and image.get_attribute("height") == "667"
    assert " 480w" in image.get_attribute("srcset")
    # The picture really arrived from our own origin, and the box did not move when it did.
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert image.evaluate("img => new URL(img.currentSrc).origin") == live_server.url
    box = image.bounding_box()
    assert abs(box["width"] / box["height"] - 1200 / 667) < 0.02
    expect(reader.locator("figcaption")).to_contain_text("Illustration: Test desk")

    notice = reader.locator(".update-note")
    expect(notice).to_contain_text("Corrected on")
    expect(reader.locator(".byline-updated")).to_contain_text("Updated on")
    notice.get_by_role("link", name="See the correction").click()
    assert reader.url.endswith("#corrections")
    record = reader.locator("#corrections")
    expect(record).to_be_in_viewport()
    expect(record.locator(".correction")).to_contain_text("the lab is in Ghent.")
    assert record.locator("em").inner_text() == "Ghent"
    assert_accessible(reader, "article with a lead image and a correction")
    screenshot(reader, "integrity-article", schemes=("light",))

    reader.goto(live_server.url + "/corrections/")
    first = reader.locator(".corrections-list li").first
    expect(first).to_contain_text("the lab is in Ghent.")
    first.get_by_role("link", name=story.headline).click()
    assert reader.url.endswith(story.get_absolute_url() + "#corrections")
    reader.close()


def test_a_preview_link_opens_a_draft_for_someone_without_an_account(
    live_server, page, newsroom, desk
):
    draft = Article.objects.filter(status=Article.Status.DRAFT).first()
    log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/articles/article/{draft.pk}/change/")
    page.get_by_role("link", name="Preview links").click()
    page.select_option("#id_lifetime", "1h")
    page.get_by_role("button", name="Make a preview link").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Preview link made")
    address = page.locator("#preview-links input[readonly]").first.input_value()
    path = address.split("://", 1)[1].split("/", 1)[1]

    stranger = page.context.browser.new_context()
    other = stranger.new_page()
    response = other.goto(f"{live_server.url}/{path}")
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    expect(other.locator("h1")).to_have_text(draft.headline)
    expect(other.locator(".preview-banner")).to_contain_text("Preview: not published.")
    assert other.locator("meta[name=robots]").get_attribute("content") == "noindex, nofollow"
    assert_accessible(other, "shared preview")
    screenshot(other, "integrity-preview", schemes=("light",), widths=(1280,))

    page.get_by_role("button", name="Revoke").first.click()
    expect(page.locator(".messagelist .success")).to_contain_text("revoked")
    response = other.goto(f"{live_server.url}/{path}")
    assert response.status == 410
    expect(other.locator("h1")).to_have_text("This preview link was withdrawn")
    stranger.close()


def test_editor_compares_two_revisions_and_restores_one(live_server, page, newsroom, desk):
    story = newsroom[-1]
    log_in(page, live_server)
    change = f"{live_server.url}/admin/articles/article/{story.pk}/change/"
    page.goto(change)
    page.locator("input[name=_continue]").first.click()
    page.fill("#id_headline", story.headline + " (revised)")
    page.locator("input[name=_continue]").first.click()
    expect(page.locator("#id_headline")).to_have_value(story.headline + " (revised)")

    page.get_by_role("link", name="History").click()
    page.get_by_role("button", name="Compare the two revisions").click()
    headline_row = page.locator("tr.changed").filter(has_text="Headline")
    expect(headline_row.locator("ins")).to_contain_text("revised")
    screenshot(page, "integrity-compare", schemes=("light",), widths=(1280,))
    page.get_by_role("link", name="Review the older revision and restore it").click()
    expect(page.locator("#id_headline")).to_have_value(story.headline)
    page.get_by_role("button", name="Restore this revision").click()
    expect(page.locator(".messagelist .success")).to_have_count(1)
    story.refresh_from_db()
    assert story.headline == newsroom[-1].headline
    page.goto(change.replace("/change/", "/history/"))
    expect(page.locator("#change-history tbody tr").first).to_contain_text("Reverted to")
