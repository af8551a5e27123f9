"""The write path's announcement, heard by federation."""

import logging

from federation.outbox import record_article_change

logger = logging.getLogger(__name__)


def article_changed_received(sender, *, article_id, change, **kwargs):
    """Sent after the change committed: recording what followers must hear is a row or two;
    sending is a worker's job. A failure here must not undo the editor's (committed) work
    nor show them an error page, so it is logged."""
    try:
        record_article_change(article_id=article_id, change=change)
    except Exception:  # the article is saved whatever happens here
        logger.exception("federation: could not record %s of article %s", change, article_id)
