"""The live preview beside the article form.

static/admin/js/article_preview.js posts the unsaved form here as the editor types (debounced);
the answer is the article page rendered by its real public template (articles.views.
preview_page), which the script shows in an iframe. To render the page exactly as it will be,
the unsaved article, its sections, byline, topics and picks are written inside a transaction
that is always rolled back: nothing is saved, no revision is made, no cache or follower is told
(the write path's announcements wait for a commit that never comes).
"""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from articles import services
from articles.models import Article, Byline, RelatedPick
from articles.views import preview_page

BANNER = "admin/articles/article/_live_preview_banner.html"
PROBLEMS = "admin/articles/article/live_preview_problems.html"


def live_preview_view(model_admin, request, object_id=None):
    """The page of the article as the posted form has it. Templates: articles/article.html
    with the live preview banner, or live_preview_problems.html (context: `problems`) while the
    text does not parse."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    stored = model_admin.article_or_404(request, object_id) if object_id else None
    if stored is None:
        allowed = model_admin.has_add_permission(request)
    else:
        allowed = model_admin.has_change_permission(request, stored)
    if not allowed:
        raise PermissionDenied
    form_class = model_admin.get_form(request, stored, change=stored is not None)
    form = form_class(request.POST, instance=stored or Article())
    form.full_clean()  # other fields' errors do not stop a preview; the text's do
    if form.document is None:
        return _problems(request, form.errors.get("text") or ["The text is empty."])
    try:
        with transaction.atomic():
            response = _render_unsaved(request, form, stored)
            transaction.set_rollback(True)
    except (IntegrityError, ValidationError) as error:
        return _problems(request, [f"This cannot be shown yet: {error}"])
    # Shown in a frame of the admin's own page (its CSP allows 'self' as frame ancestor).
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _render_unsaved(request, form, stored):
    article = form.instance
    article.headline = article.headline.strip() or "(No headline yet)"
    # The stored address (or a throwaway one): a slug being typed may be another's.
    article.slug = stored.slug if stored else f"live-preview-{uuid.uuid4().hex}"
    if article.status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    article.save()
    services.article_sections_write(article=article, sections=form.section_triples())
    if "topics" in form.cleaned_data:
        article.topics.set(form.cleaned_data["topics"])
    authors = _picked(request.POST, "bylines", "author")
    if authors is not None:
        article.bylines.all().delete()
        Byline.objects.bulk_create(
            Byline(article=article, author_id=pk, position=n) for n, pk in enumerate(authors, 1)
        )
    picks = _picked(request.POST, "related_picks", "related") or []
    picks = [pk for pk in picks if pk != article.pk]
    article.related_picks.all().delete()
    RelatedPick.objects.bulk_create(
        RelatedPick(article=article, related_id=pk, position=n) for n, pk in enumerate(picks, 1)
    )
    return preview_page(request, article, preview_banner=BANNER)


def _picked(data, prefix, name):
    """The ids chosen in an inline's rows, in the editor's order (blank positions last), or
    None when the form has no such inline."""
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", ""))
    except ValueError:
        return None
    rows = []
    for n in range(min(total, 100)):
        chosen = data.get(f"{prefix}-{n}-{name}", "")
        if not chosen.isdigit() or data.get(f"{prefix}-{n}-DELETE"):
            continue
        position = data.get(f"{prefix}-{n}-position", "")
        rows.append((int(position) if position.isdigit() else 10_000 + n, int(chosen)))
    return list(dict.fromkeys(pk for _, pk in sorted(rows)))


def _problems(request, problems):
    return TemplateResponse(request, PROBLEMS, {"problems": problems})


class LivePreviewMixin:
    """For ArticleAdmin: the preview's addresses, and where the form's page finds them."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "live-preview/",
                view(lambda request: live_preview_view(self, request)),
                name="articles_article_live_preview_new",
            ),
            path(
                "<path:object_id>/live-preview/",
                view(lambda request, object_id: live_preview_view(self, request, object_id)),
                name="articles_article_live_preview",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is None:
            context["live_preview_url"] = reverse("admin:articles_article_live_preview_new")
        else:
            context["live_preview_url"] = reverse(
                "admin:articles_article_live_preview", args=[obj.pk]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)
