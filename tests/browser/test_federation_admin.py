"""The social web in the admin, in Chromium at a phone and a desktop width: the switch,
followers by server, likes and boosts per story, deliveries; axe finds nothing on any of them,
and turning federation off through the form takes the account off the web."""

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from federation.models import Delivery, Follower, Reaction, RemoteActor, Server, Switch
from federation.outbox import record_article_change
from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "a-long-admin-password-9"


@pytest.fixture
def fediverse(newsroom):
    """Followers on three servers, likes and boosts on the newest story, a few deliveries."""
    story = newsroom[0]
    for domain, count in (("mastodon.example", 3), ("social.example", 2), ("quiet.example", 1)):
        server = Server.objects.create(domain=domain)
        for n in range(count):
            actor = RemoteActor.objects.create(
                url=f"https://{domain}/users/reader{n}",
                server=server,
                key_id=f"https://{domain}/users/reader{n}#main-key",
                public_key_pem="-",
                inbox=f"https://{domain}/users/reader{n}/inbox",
                shared_inbox=f"https://{domain}/inbox",
                handle=f"@reader{n}@{domain}",
                name=f"Reader {n}",
                fetched_at=timezone.now(),
            )
            Follower.objects.create(actor=actor, follow_id=f"{actor.url}/follow")
            for kind in ("like", "boost")[: 1 + n % 2]:
                Reaction.objects.create(
                    article=story, kind=kind, actor_url=actor.url, activity_id=f"{actor.url}/{kind}"
                )
    Server.objects.filter(domain="quiet.example").update(
        failures=5, paused_until=timezone.now() + timezone.timedelta(hours=1)
    )
    [activity] = record_article_change(article_id=story.pk, change="published")
    for server in Server.objects.all():
        Delivery.objects.create(
            activity=activity, inbox=f"https://{server.domain}/inbox", server=server
        )
    User.objects.create_superuser("chief", "chief@newsroom.test", PASSWORD)
    return story


def log_in(page, live_server):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_have_count(1)


def look(page, name):
    """axe at both widths, in both schemes; with reduced motion, so no colour is caught
    halfway through the admin's fade between schemes."""
    page.emulate_media(reduced_motion="reduce")
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, f"{name} at {width}px")
    screenshot(page, name)


def test_the_social_web_in_the_admin(live_server, page, fediverse):
    log_in(page, live_server)
    page.goto(live_server.url + "/admin/")
    expect(page.get_by_role("link", name="Likes and boosts per story")).to_have_count(1)

    page.goto(live_server.url + "/admin/federation/server/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("mastodon.example")  # most followers first
    expect(rows.last).to_contain_text("Paused until")
    look(page, "admin-federation-servers")

    rows.first.get_by_role("link", name="3").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    expect(page.locator("#result_list")).to_contain_text("@reader0@mastodon.example")
    look(page, "admin-federation-followers")

    page.goto(live_server.url + "/admin/federation/articlereach/")
    newest = page.locator("#result_list tbody tr").first
    expect(newest).to_contain_text(fediverse.headline)
    expect(newest.locator("td.field-likes")).to_have_text("6")
    expect(newest.locator("td.field-boosts")).to_have_text("2")
    look(page, "admin-federation-likes")

    page.goto(live_server.url + "/admin/federation/delivery/")
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    look(page, "admin-federation-deliveries")

    page.goto(live_server.url + "/admin/federation/switch/")
    expect(page.locator(".field-followers .readonly")).to_have_text("6")
    look(page, "admin-federation-switch")
    page.get_by_label("Federation on").uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    assert Switch.objects.get().enabled is False
    assert page.request.get(live_server.url + "/ap/actor").status == 404
