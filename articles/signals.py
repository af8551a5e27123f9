"""What other apps may listen to: sent by articles/services.py once the change has committed."""

from django.dispatch import Signal

# An article readers can see (or could, until now) changed. Keyword arguments:
# - article_id: the article's primary key;
# - change: "published" (it went live, or was scheduled: nothing may reach readers before its
#   `published_at`), "updated" (a live article was edited or corrected), "unpublished" (taken
#   off the site) or "deleted" (gone for good).
article_changed = Signal()
