"""Comparing two revisions of an article, field by field (articles/revisions.py lines them
up). Restoring one is django-reversion's own revision view, for editors only (an old revision
may carry a status or publish time a writer could not set)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from reversion.models import Version

from articles import revisions
from articles.access import can_publish


def compare_view(model_admin, request, object_id):
    """Two revisions side by side. Template: admin/articles/article/compare.html; context:
    `original`, `older`, `newer` (Versions), `rows`, `restore_url` (editors only). `?older=`
    and `?newer=` are revision ids (default: the two latest)."""
    article = model_admin.article_or_404(request, object_id)
    if not model_admin.has_view_or_change_permission(request, article):
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
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
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


class RevisionsMixin:
    """For ArticleAdmin: history for whoever may see the article, restoring for editors."""

    history_latest_first = True
    object_history_template = "admin/articles/article/object_history.html"

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
