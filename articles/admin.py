"""The newsroom desk: editors and writers write whole articles on one page.

Editors hold the `publish_article` permission: they publish, schedule and unpublish. Writers
create articles and edit their own drafts; status and publish time are read-only for them and
the publishing actions are not theirs, so a crafted POST cannot publish either.
"""

from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count
from django.utils import timezone

from articles import services
from articles.forms import (
    ArticleForm,
    BylineFormSet,
    PositionedFormSet,
    SectionForm,
    SectionFormSet,
)
from articles.models import Article, Author, Byline, RelatedPick, Section, SlugRedirect, Topic
from articles.search import refresh_search_text

PUBLISH_PERMISSION = "articles.publish_article"
EVERYWHERE = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


def can_publish(request):
    return request.user.has_perm(PUBLISH_PERMISSION)


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
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    inlines = [BylineInline, SectionInline, RelatedPickInline]
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
            return ["updated_at"]
        return ["status", "published_at", "updated_at"]

    def get_fieldsets(self, request, obj=None):
        # "Mark as updated" is for live articles, which only editors change; a new article
        # has no update to show.
        hide = set()
        if obj is None:
            hide = {"mark_updated", "updated_at"}
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
        if form.cleaned_data.get("mark_updated"):
            obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        if not change or "slug" in form.changed_data:
            was_public = form.initial.get("status") == Article.Status.PUBLISHED
            services.article_slug_changed(
                article=obj, old_slug=form.initial.get("slug") if was_public else None
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Search reads the sections' words from the article row; copy them after they are saved.
        refresh_search_text(form.instance)

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
            self.message_user(request, f"Published now: {_titles(published)}.", messages.SUCCESS)
        if already_live:
            self.message_user(request, f"Already live: {_titles(already_live)}.", messages.INFO)

    @admin.action(description="Unpublish", permissions=["publish"], location=EVERYWHERE)
    def unpublish(self, request, queryset):
        unpublished = [a for a in queryset if services.article_unpublish(article=a)]
        if unpublished:
            self.message_user(
                request,
                f"Unpublished (now drafts): {_titles(unpublished)}.",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, "Nothing to unpublish: already drafts.", messages.INFO)
