"""The newsroom desk in Django's admin.

- articles.py: the article form page (in reading order, the text in one box: articles/forms.py)
  and the list of articles;
- publishing.py: the buttons under the form (Save draft, Publish now, Schedule…, Unpublish…)
  and the list's "Publish now" and "Unpublish";
- live_preview.py: the unsaved form rendered by the article template, beside the form;
- inlines.py: byline, Recent News picks and corrections on that page;
- history.py: revisions, compared two by two (restoring is django-reversion's own view);
- preview_links.py: making and revoking shareable preview links;
- people.py: authors, topics and old addresses.

Editors hold the `publish_article` permission: they publish, schedule and unpublish. Writers
create articles and edit their own drafts. Every save ends in articles/services.py.
"""

from articles.admin import articles, people  # noqa: F401 (registers the admin classes)
