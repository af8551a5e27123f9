"""The subscriber list: status counts, consent records read-only, CSV export, unsubscribe."""

import csv
from itertools import chain

from django.contrib import admin, messages
from django.http import StreamingHttpResponse
from django.utils import timezone

from newsletter import services
from newsletter.admin.mail_events import MailEventInline
from newsletter.models import ConsentRecord, Subscriber
from newsroom.admin_lists import ChangeList

CSV_COLUMNS = ["email", "status", "created_at", "confirmed_at", "unsubscribed_at"]
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write() hands the line back, for streaming a csv.writer."""

    def write(self, value):
        return value


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def csv_lines(queryset):
    """The subscribers as CSV lines, read from the database 2,000 rows at a time."""
    writer = csv.writer(_Echo())
    rows = queryset.order_by("pk").values_list(*CSV_COLUMNS).iterator(chunk_size=2000)
    return (writer.writerow([_cell(value) for value in row]) for row in chain([CSV_COLUMNS], rows))


class ConsentRecordInline(admin.TabularInline):
    model = ConsentRecord
    fields = ["created_at", "source", "pitch", "ip_network", "confirmed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "created_at", "confirmed_at", "suppressed_at"]
    list_filter = ["status", "created_at", "confirmed_at"]
    date_hierarchy = "created_at"

    def get_changelist(self, request, **kwargs):
        return ChangeList

    search_fields = ["email"]
    readonly_fields = [
        "email",
        "status",
        "created_at",
        "status_changed_at",
        "confirmed_at",
        "unsubscribed_at",
        "signup_emailed_at",
        "suppressed_at",
        "suppressed_reason",
    ]
    fields = readonly_fields
    inlines = [MailEventInline, ConsentRecordInline]
    actions = ["export_csv", "unsubscribe"]
    change_list_template = "newsletter/admin/subscriber_change_list.html"
    show_full_result_count = False

    def has_add_permission(self, request):
        # Subscribers join through the double opt-in only, never by an editor's hand.
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "status_counts": self._status_counts()}
        return super().changelist_view(request, extra_context=extra_context)

    def _status_counts(self):
        counts = Subscriber.objects.status_counts()
        return [(label, counts[value]) for value, label in Subscriber.Status.choices]

    def has_export_permission(self, request):
        return request.user.has_perm("newsletter.export_subscriber")

    @admin.action(description="Export selected subscribers as CSV", permissions=["export"])
    def export_csv(self, request, queryset):
        response = StreamingHttpResponse(csv_lines(queryset), content_type="text/csv")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        return response

    @admin.action(description="Unsubscribe selected subscribers", permissions=["change"])
    def unsubscribe(self, request, queryset):
        count = services.subscribers_unsubscribe(subscribers=queryset)
        self.message_user(
            request,
            f"Unsubscribed {count} subscriber{'s' if count != 1 else ''}.",
            messages.SUCCESS,
        )
