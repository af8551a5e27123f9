"""Newsletter › Figures in the admin: the charts of newsletter/figures.py, each with its
numbers in a table. Whoever may see editions may see them."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from newsletter import charts, figures
from newsletter.mail_events import Figures


@admin.register(Figures)
class FiguresAdmin(admin.ModelAdmin):
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("newsletter.view_edition")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        days = figures.confirmed_per_day()
        sources = figures.signups_by_source()
        editions = figures.per_edition()
        limit = f"{figures.COMPLAINT_LIMIT:.1%} limit"
        context = {
            **self.admin_site.each_context(request),
            "title": "Newsletter figures",
            "opts": self.model._meta,
            "days": days,
            "sources": sources,
            "editions": editions,
            "complaint_limit": figures.COMPLAINT_LIMIT,
            "days_chart": charts.bar_chart(
                chart_id="confirmed-per-day",
                title="Confirmed subscribers at the end of each of the last 30 days",
                bars=[(f"{day:%d %b}", count, False) for day, count in days],
            ),
            "sources_chart": charts.bar_chart(
                chart_id="signups-by-source",
                title="Signups by the page whose form they used",
                bars=[(s.headline or s.path, s.signups, False) for s in sources],
            ),
            "sent_chart": charts.bar_chart(
                chart_id="sent-per-edition",
                title="Emails sent per edition",
                bars=[(f"{e.date:%d %b}", e.sent, False) for e in editions],
            ),
            "complaints_chart": charts.bar_chart(
                chart_id="complaint-rate",
                title=f"Spam complaints per email sent, per edition, against the {limit}",
                bars=[(f"{e.date:%d %b}", e.complaint_rate, e.over_limit) for e in editions],
                line=figures.COMPLAINT_LIMIT,
                line_label=limit,
                percent=True,
            ),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/newsletter/figures.html", context)
