"""Publishing from the desk: the buttons under the article form (Save draft, Publish now,
Schedule…, Unpublish…) and the list's "Publish now" and "Unpublish" actions.

Editors hold the `publish_article` permission and see every button; writers see "Save draft"
only, and a publishing button posted by a writer is refused (403). What each button does to
the status and publish time is the form's business (articles/forms.py); the save ends in the
write path like any other (articles/services.py).
"""

import reversion
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils.formats import localize
from django.utils.timezone import localtime

from articles import services
from articles.access import can_publish
from articles.forms import PUBLISH, PUBLISHING_BUTTONS, SCHEDULE, UNPUBLISH


def _revision_comment(comment):
    """Name an action in the revisions it makes (admin saves get the change message)."""
    if reversion.is_active():
        reversion.set_comment(comment)


def _titles(articles):
    return ", ".join(f"“{article}”" for article in articles)


def save_label(article):
    """What the plain save button says: what it does to readers."""
    if article is None or not article.is_live:
        return "Save draft" if article is None or article.status == "draft" else "Save"
    return "Update live page"


class PublishingMixin:
    """For ArticleAdmin: the buttons' context and server-side check, and the list actions."""

    actions = ["publish_now", "unpublish"]

    def has_publish_permission(self, request):
        return can_publish(request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        pressed = [name for name in PUBLISHING_BUTTONS if name in request.POST]
        if request.method == "POST" and pressed and not can_publish(request):
            raise PermissionDenied("An editor publishes, schedules and unpublishes articles.")
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(
            can_publish=can_publish(request),
            save_label=save_label(obj),
            publish_button=PUBLISH,
            schedule_button=SCHEDULE,
            unpublish_button=UNPUBLISH,
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        self._say_what_the_button_did(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._say_what_the_button_did(request, obj)
        return super().response_change(request, obj)

    def _say_what_the_button_did(self, request, obj):
        if PUBLISH in request.POST:
            said = "Published: readers see it now."
        elif SCHEDULE in request.POST:
            when = localize(localtime(obj.published_at))
            said = f"Scheduled: it goes live by itself on {when}."
        elif UNPUBLISH in request.POST:
            said = "Unpublished: it is a draft again, and readers no longer see it."
        else:
            return
        self.message_user(request, said, messages.SUCCESS)

    @admin.action(description="Publish now", permissions=["publish"])
    def publish_now(self, request, queryset):
        published, already_live = [], []
        for article in queryset.annotate(section_count=Count("sections", distinct=True)):
            try:
                made_live = services.article_publish(
                    article=article, section_count=article.section_count
                )
            except services.PublicationRefused as refused:
                self.message_user(request, f"Not published: {refused}", messages.ERROR)
                continue
            (published if made_live else already_live).append(article)
        if published:
            _revision_comment("Published now (action).")
            self.message_user(request, f"Published now: {_titles(published)}.", messages.SUCCESS)
        if already_live:
            self.message_user(request, f"Already live: {_titles(already_live)}.", messages.INFO)

    @admin.action(description="Unpublish", permissions=["publish"])
    def unpublish(self, request, queryset):
        unpublished = [a for a in queryset if services.article_unpublish(article=a)]
        if unpublished:
            _revision_comment("Unpublished (action).")
            self.message_user(
                request,
                f"Unpublished (now drafts): {_titles(unpublished)}.",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, "Nothing to unpublish: already drafts.", messages.INFO)
