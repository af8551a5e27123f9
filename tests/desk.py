"""Working the desk (the admin) as an editor would: open an article's form, change what an
editor changes, press Save; run a list action."""

from django.urls import reverse

from tests.readers import FormReader


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def save_in_admin(client, article, **changes):
    """Open the change form, change some fields as an editor would, press Save."""
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
