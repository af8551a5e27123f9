"""The daily digest's editions: the list with delivery counts, a draft's page (subject, intro,
ordered articles), previews, a test copy to the editor, and "Send now" for editors."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from newsletter import editions
from newsletter.content import digest_content, edition_articles, render_bodies
from newsletter.digest import preview_unsubscribe
from newsletter.models import Edition, EditionArticle, Subscriber
from newsletter.tasks import send_test_edition
from newsroom.admin_lists import ChangeList


class EditionArticleForm(forms.ModelForm):
    class Meta:
        model = EditionArticle
        fields = ["position", "article"]
        # The field offers only published articles (its limit_choices_to); say so plainly.
        error_messages = {
            "article": {
                "invalid_choice": "Only published articles can go out: this one is a draft, "
                "scheduled for later, or was deleted."
            }
        }


class EditionArticleInline(admin.TabularInline):
    model = EditionArticle
    form = EditionArticleForm
    fields = ["position", "article"]
    autocomplete_fields = ["article"]
    extra = 1
    verbose_name = "article"
    verbose_name_plural = "Articles, in the order the email shows them"


SEND_PERMISSION = "newsletter.send_edition"
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"
)


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["date", "subject", "state", "recipients", "sent", "pending", "failed"]
    list_display_links = ["date", "subject"]
    list_filter = ["status"]
    date_hierarchy = "date"

    def get_changelist(self, request, **kwargs):
        return ChangeList

    search_fields = ["subject"]
    fields = ["date", "subject", "intro", "cut_off", "status", "deliveries"]
    readonly_fields = ["date", "cut_off", "status", "deliveries"]
    inlines = [EditionArticleInline]
    change_form_template = "admin/newsletter/edition/change_form.html"
    change_list_template = "admin/newsletter/edition/change_list.html"
    show_full_result_count = False

    class Media:
        css = {"all": ["admin/css/editions.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    def has_add_permission(self, request):
        # Editions are built from what was published (the command, or "Build today's edition").
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_draft)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_draft)

    @admin.display(description="Status", ordering="status")
    def state(self, edition):
        if edition.last_error:
            return f"{edition.get_status_display()} (sending stopped)"
        return edition.get_status_display()

    @admin.display(description="Recipients", ordering="recipient_count")
    def recipients(self, edition):
        return edition.recipient_count

    @admin.display(description="Sent", ordering="sent")
    def sent(self, edition):
        return edition.sent

    @admin.display(description="Pending", ordering="pending")
    def pending(self, edition):
        return edition.pending

    @admin.display(description="Failed", ordering="failed")
    def failed(self, edition):
        return edition.failed

    @admin.display(description="Deliveries")
    def deliveries(self, edition):
        if edition.is_draft:
            count = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).count()
            return f"Not sent yet. It would go to {count} confirmed subscribers now."
        return (
            f"{edition.recipient_count} recipients: {edition.sent} sent, {edition.pending} "
            f"pending, {edition.failed} failed, {edition.skipped} skipped (left before their "
            "copy went out)."
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("build-today/", view(self.build_today_view), name="newsletter_edition_build"),
            path(
                "<int:object_id>/preview.html",
                view(self.preview_html_view),
                name="newsletter_edition_preview_html",
            ),
            path(
                "<int:object_id>/preview.txt",
                view(self.preview_text_view),
                name="newsletter_edition_preview_text",
            ),
            path(
                "<int:object_id>/send-test/",
                view(self.send_test_view),
                name="newsletter_edition_send_test",
            ),
            path("<int:object_id>/send/", view(self.send_view), name="newsletter_edition_send"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_send": request.user.has_perm(SEND_PERMISSION),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _edition(self, request, object_id):
        edition = Edition.objects.with_counts().filter(pk=object_id).first()
        if edition is None:
            raise Http404("No such edition.")
        if not self.has_view_permission(request, edition):
            raise PermissionDenied
        return edition

    def _change_url(self, edition):
        return reverse("admin:newsletter_edition_change", args=[edition.pk])

    def preview_html_view(self, request, object_id):
        """The email as a subscriber's mail client gets it. A document of its own under a
        policy that runs nothing (no script, no form, no embedding) but its inline styles."""
        edition = self._edition(request, object_id)
        _, html = render_bodies(digest_content(edition), unsubscribe_url=preview_unsubscribe())
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = PREVIEW_CSP
        return response

    def preview_text_view(self, request, object_id):
        edition = self._edition(request, object_id)
        text, _ = render_bodies(digest_content(edition), unsubscribe_url=preview_unsubscribe())
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Security-Policy"] = PREVIEW_CSP
        return response

    def send_test_view(self, request, object_id):
        """POST: one copy to the editor asking, and to nobody else."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        edition = self._edition(request, object_id)
        address = (request.user.email or "").strip()
        if not address:
            self.message_user(
                request,
                "Your account has no email address, so no test was sent. Add one to your user "
                "profile and try again.",
                messages.ERROR,
            )
        else:
            transaction.on_commit(partial(send_test_edition.enqueue, edition.pk, address))
            self.message_user(
                request,
                f"A test copy of this edition is on its way to {address}.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(self._change_url(edition))

    def send_view(self, request, object_id):
        """GET asks for confirmation; POST starts sending to every confirmed subscriber.
        Template: admin/newsletter/edition/send_confirm.html."""
        if not request.user.has_perm(SEND_PERMISSION):
            raise PermissionDenied
        edition = self._edition(request, object_id)
        if not edition.is_draft:
            self.message_user(request, f"{edition} is already {edition.status}.", messages.INFO)
            return HttpResponseRedirect(self._change_url(edition))
        if request.method == "POST":
            try:
                editions.send_edition(edition_id=edition.pk)
            except editions.EditionError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                edition.refresh_from_db(fields=["status", "last_error", "recipient_count"])
                if edition.last_error:  # the inline task backend has already tried
                    self.message_user(
                        request, f"Sending stopped: {edition.last_error}", messages.ERROR
                    )
                else:
                    self.message_user(
                        request,
                        f"Sending started: {edition.recipient_count} subscribers queued. "
                        "Refresh to follow progress.",
                        messages.SUCCESS,
                    )
            return HttpResponseRedirect(self._change_url(edition))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Send {edition}?",
            "opts": self.opts,
            "edition": edition,
            "articles": list(edition_articles(edition)),
            "subscribers": Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).count(),
        }
        return TemplateResponse(request, "admin/newsletter/edition/send_confirm.html", context)

    def build_today_view(self, request):
        """POST: build today's edition as a draft (or open it if it exists)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("newsletter.add_edition"):
            raise PermissionDenied
        try:
            built = editions.build_edition()
        except editions.EditionError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:newsletter_edition_changelist"))
        if built.edition is None:
            self.message_user(
                request,
                "No article was published since the previous edition: nothing to build today.",
                messages.INFO,
            )
            return HttpResponseRedirect(reverse("admin:newsletter_edition_changelist"))
        if built.created:
            self.message_user(request, f"Built {built.edition} for review.", messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(built.edition))
