"""The article page of the desk: one form in the order readers read the article (what a first
draft does not need folded away), and the list of articles. The buttons and list actions that
publish are in publishing.py, revisions in history.py. Saving ends in
articles.services.article_saved()."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.timezone import localtime
from reversion.admin import VersionAdmin

from articles import corrections, images, revisions, services
from articles.access import can_publish
from articles.admin.history import RevisionsMixin, compare_view
from articles.admin.inlines import BylineInline, CorrectionInline, RelatedPickInline
from articles.admin.live_preview import LivePreviewMixin
from articles.admin.preview_links import preview_link_revoke_view, preview_links_view
from articles.admin.publishing import PublishingMixin
from articles.forms import ArticleForm
from articles.models import Article, Correction
from newsroom.admin_lists import ChangeList

# Article, its bylines, sections and picks are versioned together (see articles/revisions.py).
revisions.register()
FOLDED = ["collapse"]  # a <details> the editor opens when the story needs it


class ArticleAdminForm(images.LeadImageFormMixin, ArticleForm):
    class Meta(ArticleForm.Meta):
        fields = [
            *ArticleForm.Meta.fields,
            "lead_image_alt",
            "lead_image_caption",
            "lead_image_credit",
        ]
        widgets = {
            **ArticleForm.Meta.widgets,
            "lead_image_alt": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "lead_image_caption": forms.TextInput(attrs={"class": "vLargeTextField"}),
        }


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", "Draft"), ("scheduled", "Scheduled"), ("live", "Live")]

    def queryset(self, request, queryset):
        match self.value():
            case "draft":
                return queryset.filter(status=Article.Status.DRAFT)
            case "scheduled":
                return queryset.scheduled()
            case "live":
                return queryset.published()
        return queryset


class ArticleChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # Authors and topics for every row in two queries, whatever the page size.
        return super().get_queryset(request, exclude_parameters).with_byline()


@admin.register(Article)
class ArticleAdmin(PublishingMixin, RevisionsMixin, LivePreviewMixin, VersionAdmin):
    form = ArticleAdminForm
    inlines = [BylineInline, CorrectionInline, RelatedPickInline]
    fieldsets = [
        ("Headline", {"fields": ["headline", "dek"]}),
        ("Topics", {"fields": ["topics"]}),
        (
            "Lead image",
            {
                "classes": FOLDED,
                "fields": [
                    "current_lead_image",
                    "lead_image_upload",
                    "remove_lead_image",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                ],
            },
        ),
        ("Text", {"fields": ["text"]}),
        ("Address", {"classes": FOLDED, "fields": ["slug"]}),
        ("Publication", {"fields": ["publication_state", "mark_updated", "updated_at"]}),
    ]
    prepopulated_fields = {"slug": ["headline"]}
    # Searchable pickers; "+" adds a topic in place and it shows selected at once (with the
    # checkbox list Django's popup had nothing to add it to).
    autocomplete_fields = ["topics"]
    list_display = ["headline", "written_by", "topic_names", "state", "published_at"]
    list_filter = [StateFilter, "topics", "authors"]
    search_fields = ["headline", "dek"]
    date_hierarchy = "published_at"
    # One row of buttons, at the foot of the page and kept in view (admin/css/desk.css): the
    # schedule time lives in it, and a form field cannot be shown twice.
    save_on_top = False

    class Media:
        css = {"all": ["admin/css/desk.css"]}
        js = ["admin/js/article_form.js", "admin/js/article_preview.js"]

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def get_inlines(self, request, obj):
        # Corrections belong to live articles; a draft or a scheduled one is simply edited.
        if obj is not None and obj.is_live:
            return self.inlines
        return [inline for inline in self.inlines if inline is not CorrectionInline]

    @admin.display(description="Written by")
    def written_by(self, article):
        return ", ".join(author.name for author in article.byline_authors)

    @admin.display(description="Topics")
    def topic_names(self, article):
        return ", ".join(topic.name for topic in article.topics.all())

    @admin.display(description="State", ordering="status")
    def state(self, article):
        return article.state_label

    def view_on_site(self, article):
        # Staff get the preview for drafts and scheduled articles at the same address.
        return article.get_absolute_url()

    # Who may do what (publishing: publishing.py).

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or can_publish(request):
            return True
        return obj.status == Article.Status.DRAFT and self._is_writer_of(request, obj)

    def _is_writer_of(self, request, article):
        # Asked several times per admin page; the answer is the state before this request.
        known = request.__dict__.setdefault("_articles_written_by_user", {})
        if article.pk not in known:
            known[article.pk] = article.bylines.filter(author__user=request.user).exists()
        return known[article.pk]

    def get_readonly_fields(self, request, obj=None):
        return ["publication_state", "updated_at", "current_lead_image"]

    @admin.display(description="State")
    def publication_state(self, article):
        if article is None or article.pk is None:
            return "New: a draft until it is published."
        if article.status == Article.Status.DRAFT:
            return "Draft: readers do not see it."
        when = localize(localtime(article.published_at))
        if article.is_live:
            return f"Live since {when}"
        return f"Scheduled: goes live by itself on {when}"

    @admin.display(description="Current image")
    def current_lead_image(self, article):
        if not article.lead_image_id:
            return "None yet."
        shown = images.picture(article.lead_image, images.SMALL)
        return format_html(
            '<img src="{}" width="240" height="{}" alt="{}">',
            shown.url,
            round(240 * shown.height / shown.width),
            article.lead_image_alt,
        )

    def get_fieldsets(self, request, obj=None):
        # "Mark as updated" is for live articles, which only editors change; a new article
        # has no update to show.
        hide = set()
        if obj is None:
            hide = {"mark_updated", "updated_at", "current_lead_image", "remove_lead_image"}
        elif not (obj.is_live and can_publish(request)):
            hide = {"mark_updated"}
        fieldsets = []
        for name, options in self.fieldsets:
            options = {**options, "fields": [f for f in options["fields"] if f not in hide]}
            if name == "Publication" and not can_publish(request):
                options["description"] = "An editor publishes or schedules this article."
            fieldsets.append((name, options))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        # Editors' status and publish time are set by the buttons under the form (publishing.py
        # renders them there, not in a fieldset).
        fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        if can_publish(request):
            fields += ["status", "published_at"]
        kwargs["fields"] = [f for f in fields if f not in self.get_readonly_fields(request, obj)]
        return super().get_form(request, obj, change, **kwargs)

    # Saving: the form and its inlines write the rows, the write path finishes the change.

    def save_model(self, request, obj, form, change):
        form.before = services.state_of(obj)
        form.apply_lead_image(obj, user=request.user)
        if form.cleaned_data.get("mark_updated"):
            obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Correction:
            return super().save_formset(request, form, formset, change)
        for correction in formset.save(commit=False):
            if correction.pk is None:
                correction.created_by = request.user
            correction.save()
        if formset.new_objects:
            # A new correction is news about the article: "Updated on" moves to now.
            corrections.article_corrected(article=form.instance)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.article_sections_write(article=form.instance, sections=form.section_triples())
        services.article_saved(article=form.instance, before=form.before)

    def delete_model(self, request, obj):
        services.article_delete(article=obj)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            services.article_delete(article=article)

    # Revisions (restoring is for editors) and shareable previews: their own views.

    def get_urls(self):
        view = self.admin_site.admin_view
        ours = [
            path(
                "<path:object_id>/history/compare/",
                view(lambda request, object_id: compare_view(self, request, object_id)),
                name="articles_article_compare",
            ),
            path(
                "<path:object_id>/preview-links/",
                view(lambda request, object_id: preview_links_view(self, request, object_id)),
                name="articles_article_preview_links",
            ),
            path(
                "<path:object_id>/preview-links/<int:link_id>/revoke/",
                view(
                    lambda request, object_id, link_id: preview_link_revoke_view(
                        self, request, object_id, link_id
                    )
                ),
                name="articles_article_preview_link_revoke",
            ),
        ]
        return ours + super().get_urls()

    def article_or_404(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such article.")
        return article
