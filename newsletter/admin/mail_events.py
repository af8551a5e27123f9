"""The subscriber admin's record of bounces, complaints and deferrals (read only: they are
what servers and services reported, written by newsletter/suppression.py)."""

from django.contrib import admin

from newsletter.mail_events import MailEvent

EVENT_FIELDS = ["occurred_at", "kind", "permanent", "provider", "detail", "delivery", "event_id"]


class MailEventInline(admin.TabularInline):
    model = MailEvent
    fields = EVENT_FIELDS
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Bounces, complaints and deferrals"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MailEvent)
class MailEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "kind", "permanent", "address", "provider"]
    list_filter = ["kind", "permanent", "provider"]
    search_fields = ["address", "event_id"]
    date_hierarchy = "occurred_at"
    fields = ["address", "subscriber", *EVENT_FIELDS, "recorded_at"]
    readonly_fields = fields
    list_select_related = ["subscriber"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
