"""The social web in the admin: the on/off switch, who follows (by server), each story's likes
and boosts, and the outbox. Everything here is read-only but the switch and a server's pause."""

from functools import partial

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from articles import page_cache
from federation import documents
from federation.keys import current_key
from federation.models import ArticleReach, Delivery, Follower, Server, Switch
from federation.tasks import wake


class ReadOnly:
    """Rows written by federation itself: looked at here, never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Switch)
class SwitchAdmin(ReadOnly, admin.ModelAdmin):
    fields = ["enabled", "account", "followers", "servers", "key_made"]
    readonly_fields = ["account", "followers", "servers", "key_made"]

    def changelist_view(self, request, extra_context=None):
        switch = Switch.load()
        return HttpResponseRedirect(reverse("admin:federation_switch_change", args=[switch.pk]))

    @admin.display(description="Account")
    def account(self, switch):
        return f"@{documents.handle()}"

    @admin.display(description="Followers")
    def followers(self, switch):
        return Follower.objects.count()

    @admin.display(description="Their servers")
    def servers(self, switch):
        return Server.objects.filter(actors__follower__isnull=False).distinct().count()

    @admin.display(description="Key pair made on")
    def key_made(self, switch):
        return current_key().created_at

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        page_cache.content_changed()  # stories' pages answer servers differently now
        if obj.enabled:  # what waited while it was off goes out now
            transaction.on_commit(partial(wake, None))


class ServerState(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("paused", "Paused"), ("failing", "Failing"), ("fine", "Answering")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "paused":
            return queryset.filter(paused_until__gt=now)
        if self.value() == "failing":
            return queryset.filter(failures__gt=0).exclude(paused_until__gt=now)
        if self.value() == "fine":
            return queryset.filter(failures=0)
        return queryset


@admin.register(Server)
class ServerAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["domain", "follower_list", "state", "failures", "last_delivered_at"]
    list_filter = [ServerState]
    search_fields = ["domain"]
    readonly_fields = ["domain", "failures", "paused_until", "last_error", "last_delivered_at"]
    actions = ["resume"]

    def get_queryset(self, request):
        # Not super()'s: it would order by the count before it is annotated.
        return Server.objects.with_follower_count()

    def get_ordering(self, request):
        return ["-follower_count", "domain"]

    @admin.display(description="Followers", ordering="follower_count")
    def follower_list(self, server):
        address = reverse("admin:federation_follower_changelist")
        return format_html(
            '<a href="{}?server={}">{}</a>',
            address,
            server.pk,
            server.follower_count,
        )

    @admin.display(description="State")
    def state(self, server):
        if server.is_paused:
            return f"Paused until {timezone.localtime(server.paused_until):%Y-%m-%d %H:%M}"
        return "Failing" if server.failures else "Answering"

    @admin.action(description="Resume deliveries to the selected servers", permissions=["change"])
    def resume(self, request, queryset):
        count = queryset.update(paused_until=None, failures=0)
        transaction.on_commit(partial(wake, None))
        self.message_user(request, f"Deliveries resumed to {count} server(s).", messages.SUCCESS)


class FollowerServer(admin.SimpleListFilter):
    title = "server"
    parameter_name = "server"

    def lookups(self, request, model_admin):
        followed = Server.objects.filter(actors__follower__isnull=False).distinct()
        return list(followed.order_by("domain").values_list("pk", "domain"))

    def queryset(self, request, queryset):
        return queryset.filter(actor__server=self.value()) if self.value() else queryset


@admin.register(Follower)
class FollowerAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["handle", "name", "server", "followed_at"]
    list_filter = [FollowerServer]
    list_select_related = ["actor__server"]
    search_fields = ["actor__handle", "actor__name", "actor__url"]
    fields = ["handle", "name", "profile", "server", "followed_at"]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Account", ordering="actor__handle")
    def handle(self, follower):
        return follower.actor.handle or follower.actor.url

    @admin.display(description="Name", ordering="actor__name")
    def name(self, follower):
        return follower.actor.name

    @admin.display(description="Server", ordering="actor__server__domain")
    def server(self, follower):
        return follower.actor.server.domain

    @admin.display(description="Profile")
    def profile(self, follower):
        address = follower.actor.profile_url or follower.actor.url
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', address, address)


@admin.register(ArticleReach)
class ArticleReachAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["story", "published_at", "likes", "boosts"]
    list_display_links = None
    search_fields = ["headline"]
    date_hierarchy = "published_at"

    def get_queryset(self, request):
        return (
            ArticleReach.objects.published()
            .annotate(
                likes=Count("reactions", filter=Q(reactions__kind="like")),
                boosts=Count("reactions", filter=Q(reactions__kind="boost")),
            )
            .order_by("-published_at", "-pk")
        )

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Story", ordering="headline")
    def story(self, article):
        address = reverse("admin:articles_article_change", args=[article.pk])
        return format_html('<a href="{}">{}</a>', address, article.headline)

    @admin.display(description="Likes", ordering="likes")
    def likes(self, article):
        return article.likes

    @admin.display(description="Boosts", ordering="boosts")
    def boosts(self, article):
        return article.boosts


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["activity", "server", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "activity__kind"]
    list_select_related = ["activity", "server"]
    search_fields = ["inbox", "server__domain"]
    fields = [
        "activity",
        "inbox",
        "server",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False
