"""Issue 14.2: each reader's address and unsubscribe token go only where our templates put
them. Text an editor wrote (summary, headline, intro) can never make the digest fill them in,
whatever it contains, including the stand-ins the digest once used for them."""

import pytest

from newsletter import editions, tokens
from newsletter.content import digest_content
from newsletter.delivery import run_worker
from newsletter.digest import CannotPrepare, PreparedDigest, new_markers
from tests.factories import audience, make_article
from tests.readers import flat, parts

pytestmark = pytest.mark.django_db

# The stand-ins the digest filled in per reader until this fix (they were in its source).
OLD_TO = "digest-recipient@recipient.invalid"
OLD_TOKEN = "digest-unsubscribe-token"
LINK = f"https://elsewhere.example/?e={OLD_TO}&t={OLD_TOKEN}"


def test_editor_text_cannot_pull_reader_data_into_a_link(smtp_mailer):
    make_article(
        f"Headline {OLD_TO} {OLD_TOKEN}",
        summary=f"Read [this]({LINK}) and {OLD_TO} {OLD_TOKEN} too.",
    )
    readers, _ = audience(confirmed=2)
    edition = editions.build_edition().edition
    edition.intro = f"Intro with [a link]({LINK})."
    edition.save()
    editions.send_edition(edition_id=edition.pk, workers=0)
    run_worker(edition.pk)

    messages = smtp_mailer.wait_for(2)
    for reader in readers:
        (message,) = [m for m in messages if m["To"] == reader.email]
        token = tokens.unsubscribe_token(reader)
        text, html = (flat(part) for part in parts(message))
        for body in (text, html):
            # The editor's link arrives as written ...
            assert "elsewhere.example/?e=" + OLD_TO in body.replace("&amp;", "&")
            # ... and the reader's own data only in the footer's unsubscribe link.
            assert reader.email not in body
            assert body.count(token) == 1
        assert message["Subject"].endswith(f"Headline {OLD_TO} {OLD_TOKEN}")


def test_markers_are_filled_in_only_where_we_put_them():
    """Were an editor's text ever to hold this message's own markers, the message is not
    filled in at all (each recipient's email is then composed whole)."""
    markers = new_markers()
    assert markers != new_markers()
    make_article("A story", summary=f"Write to {markers['to']}, token {markers['token']}.")
    content = digest_content(editions.build_edition().edition)
    assert PreparedDigest(content).pieces  # fresh markers: prepared as usual
    with pytest.raises(CannotPrepare, match="not exactly where we put it"):
        PreparedDigest(content, markers=markers)
