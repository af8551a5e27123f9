"""What a signup keeps and what its answer gives away: the consent record keeps a public path,
never a preview's secret (issue 14.7); a new address answers no slower than a known one
(issue 14.10)."""

import re
from datetime import timedelta

import pytest

from articles import previews
from newsletter.models import ConsentRecord
from newsletter.services import public_source
from newsletter.views import subscribe
from tests.factories import make_article

pytestmark = pytest.mark.django_db
SUBSCRIBE = "/newsletter/subscribe/"


def test_join_now_on_a_preview_page_keeps_no_token(client):
    story = make_article("Embargoed story", draft=True)
    link = previews.preview_link_make(article=story, lifetime=timedelta(days=1))
    page = client.get(link.get_absolute_url())
    assert page.status_code == 200
    (source,) = set(re.findall(r'name="source" value="([^"]*)"', page.content.decode()))

    response = client.post(SUBSCRIBE, {"email": "reader@example.com", "source": source})

    assert response.status_code == 303
    kept = ConsentRecord.objects.get().source
    assert kept == "/preview/"
    assert link.token not in kept


@pytest.mark.parametrize(
    ("posted", "kept"),
    [
        ("/", "/"),
        ("/news/a-story/", "/news/a-story/"),
        ("/news/a-story/?utm_source=x#top", "/news/a-story/"),
        ("/newsletter/confirm/MQ:abc:def/", "/newsletter/confirm/"),
        ("/newsletter/unsubscribe/MQ:abc/", "/newsletter/unsubscribe/"),
        ("/admin/newsletter/subscriber/", ""),
        ("/no/such/page/", ""),
        ("https://elsewhere.example/news/a-story/", ""),
        ("//elsewhere.example/", ""),
        ("/news/a\nb/", ""),
        ("", ""),
    ],
)
def test_only_public_paths_are_kept(posted, kept):
    assert public_source(posted) == kept


@pytest.mark.django_db(transaction=True)
def test_a_new_address_is_answered_before_its_email_is_queued(rf, mailoutbox, settings):
    """Issue 14.10: a known address (emailed within the hour) gets no email, a new one does;
    the answer must not wait for that email, or its timing tells which is which. Committed
    for real, with the inline task backend that sends within the same process."""
    settings.NEWSLETTER_SIGNUPS_PER_NETWORK = 100
    answers = []
    for address in ("new@example.com", "new@example.com", "other@example.com"):
        request = rf.post(SUBSCRIBE, {"email": address, "source": "/"})
        response = subscribe(request)
        assert response.status_code == 303
        answers.append((address, len(mailoutbox)))
        response.close()  # what the server does once the visitor has the answer

    # Nothing was sent before any answer; each new address got its email after its answer.
    assert answers == [("new@example.com", 0), ("new@example.com", 1), ("other@example.com", 1)]
    assert [m.to for m in mailoutbox] == [["new@example.com"], ["other@example.com"]]
