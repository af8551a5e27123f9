"""Making, listing and revoking an unpublished article's shareable preview links
(articles/previews.py holds the rules)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from articles import previews


def preview_links_view(model_admin, request, object_id):
    """Template: admin/articles/article/preview_links.html; context: `original`, `form`,
    `links` ((PreviewLink, absolute address) pairs)."""
    article = model_admin.article_or_404(request, object_id)
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied
    form = previews.PreviewLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = previews.preview_link_make(
                article=article, lifetime=form.chosen_lifetime(), user=request.user
            )
        except previews.PreviewRefused as refused:
            model_admin.message_user(request, refused.message, messages.ERROR)
        else:
            model_admin.message_user(
                request,
                f"Preview link made, working until {previews.when(link.expires_at)}: "
                f"{previews.absolute_url(link)}",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(request.path)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": article,
        "title": f"Preview links for “{article}”",
        "form": form,
        "links": previews.links_for(article),
    }
    return TemplateResponse(request, "admin/articles/article/preview_links.html", context)


def preview_link_revoke_view(model_admin, request, object_id, link_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = model_admin.article_or_404(request, object_id)
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied
    if previews.preview_link_revoke(article=article, link_id=link_id):
        model_admin.message_user(
            request, "Preview link revoked: it no longer works.", messages.SUCCESS
        )
    else:
        model_admin.message_user(request, "That preview link was already revoked.", messages.INFO)
    return HttpResponseRedirect(reverse("admin:articles_article_preview_links", args=[article.pk]))
