"""Authors, topics and old addresses. Their names and addresses show on every article that
carries them, so each save goes through the write path (articles.services)."""

from django.contrib import admin
from django.db.models import Max

from articles import services
from articles.models import Author, SlugRedirect, Topic


class ShownOnArticlesAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.shown_elsewhere_saved(instance=obj)

    def delete_model(self, request, obj):
        services.shown_elsewhere_delete(instance=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Author)
class AuthorAdmin(ShownOnArticlesAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]


@admin.register(Topic)
class TopicAdmin(ShownOnArticlesAdmin):
    list_display = ["name", "slug", "position", "in_navigation"]
    list_editable = ["position", "in_navigation"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "in_navigation", "position"]

    def get_changeform_initial_data(self, request):
        # Last in the header's order, should an editor put it there.
        last = Topic.objects.aggregate(last=Max("position"))["last"]
        return {"position": (last or 0) + 1, **super().get_changeform_initial_data(request)}


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    """Old addresses that answer 301, recorded when an editor changes a public article's slug.
    An old address belongs to its article: only deleting it here releases it for another."""

    list_display = ["old_slug", "article", "created_at"]
    search_fields = ["old_slug", "article__headline"]
    autocomplete_fields = ["article"]
