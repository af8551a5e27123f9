"""The newsroom desk: editors and writers write whole articles on one page.

Editors hold the `publish_article` permission: they publish, schedule and unpublish. Writers
create articles and edit their own drafts; status and publish time are read-only for them and
the publishing actions are not theirs, so a crafted POST cannot publish either.
"""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from reversion.admin import VersionAdmin
from reversion.models import Version

from articles import corrections, images, previews, rendering, revisions, services
from articles.forms import (
    ArticleForm,
    BylineFormSet,
    PositionedFormSet,
    SectionForm,
    SectionFormSet,
)
from articles.models import (
    Article,
    Author,
    Byline,
    Correction,
    RelatedPick,
    Section,
    SlugRedirect,
    Topic,
)
from articles.search import refresh_search_text

# Article, its bylines, sections and picks are versioned together (see articles/revisions.py).
revisions.register()

PUBLISH_PERMISSION = "articles.publish_article"
EVERYWHERE = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


def can_publish(request):
    return request.user.has_perm(PUBLISH_PERMISSION)


def _revision_comment(comment):
    """Name an action in the revisions it makes (admin saves get the change message)."""
    if reversion.is_active():
        reversion.set_comment(comment)


def _titles(articles):
    return ", ".join(f"“{article}”" for article in articles)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "in_navigation"]
    list_editable = ["position", "in_navigation"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    """Old addresses that answer 301; recorded when an editor changes a public article's slug."""

    list_display = ["old_slug", "article", "created_at"]
    search_fields = ["old_slug", "article__headline"]
    autocomplete_fields = ["article"]


class BylineInline(admin.TabularInline):
    model = Byline
    formset = BylineFormSet
    fields = ["author", "position"]
    autocomplete_fields = ["author"]
    extra = 1
    verbose_name = "author"
    verbose_name_plural = "Written by"
    after_fieldset = "Headline"  # where the change form template places this inline

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if not can_publish(request):
            author = Author.objects.filter(user=request.user).first()
            formset.required_author = author
            formset.writer_without_author = author is None
        return formset


class SectionInline(admin.StackedInline):
    model = Section
    form = SectionForm
    formset = SectionFormSet
    verbose_name_plural = "Sections (in reading order)"
    after_fieldset = "Summary"

    def get_extra(self, request, obj=None, **kwargs):
        return 3 if obj is None else 1


class RelatedPickInline(admin.TabularInline):
    model = RelatedPick
    fk_name = "article"
    formset = PositionedFormSet
    fields = ["related", "position"]
    autocomplete_fields = ["related"]
    verbose_name = "Recent News pick"
    verbose_name_plural = "Recent News picks (shown first, before the newest articles)"
    after_fieldset = "The take"

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("labels", {"related": "Article"})
        return super().get_formset(request, obj, **kwargs)

    def get_extra(self, request, obj=None, **kwargs):
        return 3 if obj is None else 1


class CorrectionForm(forms.ModelForm):
    class Meta:
        model = Correction
        fields = ["kind", "published_at", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"})}

    def clean_published_at(self):
        published_at = self.cleaned_data["published_at"]
        if published_at > timezone.now():
            raise forms.ValidationError(
                "Date a correction today or earlier: it is shown as soon as it is saved.",
                code="correction_in_future",
            )
        return published_at


class CorrectionInline(admin.StackedInline):
    """Corrections and updates on a live article (ArticleAdmin.get_inlines). They stay for the
    record: no deleting, only fixing their wording."""

    model = Correction
    form = CorrectionForm
    extra = 1
    can_delete = False
    verbose_name = "correction or update"
    verbose_name_plural = "Corrections and updates (shown at the end of the article)"

    def has_delete_permission(self, request, obj=None):
        return False


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
                return queryset.filter(
                    status=Article.Status.PUBLISHED, published_at__gt=timezone.now()
                )
            case "live":
                return queryset.published()
        return queryset


class ArticleChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # Authors and topics for every row in two queries, whatever the page size.
        return super().get_queryset(request, exclude_parameters).with_byline()


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleAdminForm
    inlines = [BylineInline, SectionInline, RelatedPickInline, CorrectionInline]
    object_history_template = "admin/articles/article/object_history.html"
    history_latest_first = True
    fieldsets = [
        ("Headline", {"fields": ["headline", "slug", "dek", "topics"]}),
        (
            "Publication",
            {
                "fields": ["status", "published_at", "mark_updated", "updated_at"],
                "description": (
                    "Published with a time in the future means scheduled: the article goes "
                    "live by itself at that time. Leave the time blank to publish now."
                ),
            },
        ),
        (
            "Lead image",
            {
                "fields": [
                    "current_lead_image",
                    "lead_image_upload",
                    "remove_lead_image",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                ]
            },
        ),
        ("Summary", {"fields": ["summary_lead", "summary"]}),
        ("The take", {"fields": ["take"]}),
    ]
    prepopulated_fields = {"slug": ["headline"]}
    list_display = ["headline", "written_by", "topic_names", "state", "published_at"]
    list_filter = [StateFilter, "topics", "authors"]
    search_fields = ["headline", "dek"]
    date_hierarchy = "published_at"
    actions = ["publish_now", "unpublish"]
    save_on_top = True

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

    # Who may do what.

    def has_publish_permission(self, request):
        return can_publish(request)

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
        if can_publish(request):
            return ["updated_at", "current_lead_image"]
        return ["status", "published_at", "updated_at", "current_lead_image"]

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
        elif not can_publish(request):
            hide = {"mark_updated"}
        fieldsets = []
        for name, options in self.fieldsets:
            options = {**options, "fields": [f for f in options["fields"] if f not in hide]}
            if name == "Publication" and not can_publish(request):
                options["description"] = "An editor publishes or schedules this article."
            fieldsets.append((name, options))
        return fieldsets

    # Saving.

    def save_model(self, request, obj, form, change):
        form.apply_lead_image(obj, user=request.user)
        if form.cleaned_data.get("mark_updated"):
            obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        if not change or "slug" in form.changed_data:
            was_public = form.initial.get("status") == Article.Status.PUBLISHED
            services.article_slug_changed(
                article=obj, old_slug=form.initial.get("slug") if was_public else None
            )

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
        # Search reads the sections' words from the article row; copy them after they are saved.
        refresh_search_text(form.instance)
        # And the page's own parts, rendered once now rather than by the first reader.
        rendering.refresh(form.instance)

    # Actions.

    @admin.action(description="Publish now", permissions=["publish"], location=EVERYWHERE)
    def publish_now(self, request, queryset):
        published, already_live = [], []
        for article in queryset.annotate(section_count=Count("sections", distinct=True)):
            try:
                made_live = services.article_publish_now(
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

    @admin.action(description="Unpublish", permissions=["publish"], location=EVERYWHERE)
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

    # Revisions: history, comparison, restore (restoring is for editors: an old revision may
    # carry a status or publish time a writer could not set).

    def get_urls(self):
        view = self.admin_site.admin_view
        ours = [
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<path:object_id>/preview-links/",
                view(self.preview_links_view),
                name="articles_article_preview_links",
            ),
            path(
                "<path:object_id>/preview-links/<int:link_id>/revoke/",
                view(self.preview_link_revoke_view),
                name="articles_article_preview_link_revoke",
            ),
        ]
        return ours + super().get_urls()

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not can_publish(request):
            raise PermissionDenied
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not can_publish(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not can_publish(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        context = {"can_restore": can_publish(request), **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def _article_or_404(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such article.")
        return article

    def compare_view(self, request, object_id):
        """Two revisions side by side, field by field. Template:
        admin/articles/article/compare.html; `?older=` and `?newer=` are revision ids
        (default: the two latest)."""
        article = self._article_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        versions = list(
            Version.objects.get_for_object(article)
            .select_related("revision", "revision__user")
            .order_by("-revision__date_created", "-pk")
        )
        by_revision = {str(v.revision_id): v for v in versions}
        picked = [request.GET.get("older"), request.GET.get("newer")]
        if not all(picked):
            picked = [str(v.revision_id) for v in versions[1::-1]]
        if len(picked) < 2 or not all(pk in by_revision for pk in picked):
            raise Http404("Pick two revisions of this article to compare.")
        older, newer = sorted(
            (by_revision[pk] for pk in picked), key=lambda v: (v.revision.date_created, v.pk)
        )
        older_shot, newer_shot = revisions.snapshots(older.revision, newer.revision)
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "original": article,
            "title": f"Compare revisions of “{article}”",
            "older": older,
            "newer": newer,
            "rows": revisions.compare(older_shot, newer_shot),
            "restore_url": (
                reverse("admin:articles_article_revision", args=[article.pk, older.pk])
                if can_publish(request)
                else None
            ),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    # Shareable previews.

    def preview_links_view(self, request, object_id):
        """Make, list and revoke preview links.

        Template: admin/articles/article/preview_links.html."""
        article = self._article_or_404(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        form = previews.PreviewLinkForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                link = previews.preview_link_make(
                    article=article, lifetime=form.chosen_lifetime(), user=request.user
                )
            except previews.PreviewRefused as refused:
                self.message_user(request, refused.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Preview link made, working until {previews.when(link.expires_at)}: "
                    f"{previews.absolute_url(link)}",
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "title": f"Preview links for “{article}”",
            "form": form,
            "links": previews.links_for(article),
        }
        return TemplateResponse(request, "admin/articles/article/preview_links.html", context)

    def preview_link_revoke_view(self, request, object_id, link_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_or_404(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        if previews.preview_link_revoke(article=article, link_id=link_id):
            self.message_user(
                request, "Preview link revoked: it no longer works.", messages.SUCCESS
            )
        else:
            self.message_user(request, "That preview link was already revoked.", messages.INFO)
        return HttpResponseRedirect(
            reverse("admin:articles_article_preview_links", args=[article.pk])
        )
