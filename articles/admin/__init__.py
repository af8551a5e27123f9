"""The newsroom desk in Django's admin.

- articles.py: the article form page, its list, "Publish now" and "Unpublish";
- inlines.py: byline, Recent News picks and corrections on that page (the text is one box,
  articles/forms.py);
- history.py: comparing two revisions (restoring is django-reversion's own view);
- preview_links.py: making and revoking shareable preview links;
- people.py: authors, topics and old addresses.

Editors hold the `publish_article` permission: they publish, schedule and unpublish. Writers
create articles and edit their own drafts. Every save ends in articles/services.py.
"""

from articles.admin import articles, people  # noqa: F401 (registers the admin classes)
