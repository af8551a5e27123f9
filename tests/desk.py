"""Working the desk (the admin) as an editor would: open an article's form, change what an
editor changes, press Save; run a list action."""

from django.urls import reverse

from articles.forms import article_text
from articles.models import Article
from tests.readers import FormReader

# Parts of the article the form shows in its one text box (articles/forms.py).
TEXT_PARTS = ("summary_lead", "summary", "take")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def save_in_admin(client, article, **changes):
    """Open the change form, change some fields as an editor would, press Save. The summary's
    lead-in, the summary and the take are changed where the editor changes them: in the text."""
    parts = {name: changes.pop(name) for name in TEXT_PARTS if name in changes}
    if parts:
        stored = Article.objects.get(pk=article.pk)
        for name, value in parts.items():
            setattr(stored, name, value)
        changes["text"] = article_text(stored)
    form = FormReader(client.get(change_url(article)).content.decode(), "article_form")
    response = client.post(change_url(article), form.as_post(_save="Save", **changes))
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def run_action(client, action, *articles):
    """Tick `articles` in the article list and run `action` (e.g. "unpublish")."""
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [article.pk for article in articles]},
    )
    assert response.status_code == 302, response.status_code
    return response
