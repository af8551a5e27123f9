"""An article's own parts of its page, rendered once per change and stored on its row.

Most of an article page is the article itself: the <head> metadata with its JSON-LD, the
headline, byline, correction notice and lead image, the summary, sections, take and
corrections. They depend only on the article and the rows it shows (bylines and their authors,
topics, sections, corrections, the lead image), so they are rendered when those change and
stored on the article (`head_html`, `header_html`, `body_html`); a page view reads one row and
renders only the frame around them (articles/article.html).

They are never shown stale:
- `rendered_for` is a digest of what the parts were made from: the article's own columns that
  they show, and the renderer (its templates and code, the settings and static file names they
  read). A view computes it from the row it read and renders again when it differs, whatever
  wrote the row: save(), a queryset update, a revision restore, a deploy with new templates.
- Rows of other tables cannot be seen from the article row, so saving or deleting a section,
  byline or correction, changing an article's topics, or renaming an author or a topic writes a
  fresh "stale" token into `rendered_for` (the signal receivers below). Writes that skip
  save() skip them, as they already skip those rows' own derived *_html.
- A rendering is stored only if `rendered_for` still holds what was read before rendering, so a
  change committed meanwhile is never covered by a rendering of the older state.

Write paths (the admin, corrections, publishing, the demo content) call `refresh()`, so readers
do not pay for it; anything else (bulk-loaded rows, a new deploy) is rendered on its first view.
"""

import hashlib
import uuid
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import HttpRequest
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse

from articles import images, seo
from articles.models import (
    Article,
    Author,
    Byline,
    Correction,
    LeadImage,
    RelatedPick,
    Section,
    Topic,
    page_prefetches,
)
from newsroom.context_processors import site as site_context

PARTS_TEMPLATE = "articles/_article_parts.html"
PARTS = {"head_html": "head", "header_html": "header", "body_html": "body"}
# Stored with the parts: what Recent News needs to know about the article.
STORED = (*PARTS, "recent_topic_ids", "recent_pick_ids")
# Every template the parts are made of, and the code that builds their metadata and image
# addresses: a change to any of them is a new renderer.
TEMPLATES = (
    PARTS_TEMPLATE,
    "articles/_article_meta.html",
    "articles/_meta.html",
    "articles/_article_byline.html",
    "articles/_article_corrections.html",
    "articles/_article_image.html",
    "articles/_article_section.html",
    "newsletter/_pitch.html",
)
CODE = tuple(
    Path(__file__).parent / name
    for name in (
        "rendering.py",
        "seo.py",
        "images/renditions.py",
        "templatetags/discovery.py",
        "templatetags/lead_images.py",
        "../newsroom/templatetags/site_links.py",
    )
)
ADDRESSES = ("articles:article", "articles:author", "articles:topic")
# The article's own columns the parts show.
SHOWN_COLUMNS = (
    "headline",
    "slug",
    "dek",
    "summary_lead",
    "summary_html",
    "take",
    "published_at",
    "updated_at",
    "lead_image_id",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
)
STALE = "stale-"
_renderer = None


def renderer():
    """A digest of what, besides the rows, decides the parts' bytes. Computed once per process
    (again after a test changes a setting): reading templates per view is what we avoid."""
    global _renderer  # noqa: PLW0603 (a per-process memo, cleared on setting_changed)
    if _renderer is None:
        digest = hashlib.blake2b(digest_size=16)
        for name in TEMPLATES:
            digest.update(get_template(name).template.source.encode())
        for path in CODE:
            digest.update(path.read_bytes())
        values = (
            settings.SITE_URL,
            settings.SITE_NAME,
            settings.SITE_LANGUAGE,
            settings.LANGUAGE_CODE,
            settings.TIME_ZONE,
            settings.NEWSLETTER_PITCH,
            static(seo.CARD[0]),
            static(seo.LOGO[0]),
            # The addresses the parts link to.
            *(reverse(name, kwargs={"slug": "x"}) for name in ADDRESSES),
            reverse("newsletter:subscribe"),
            # Where stored files are served from (a bucket's URLs are part of the page).
            default_storage.url(f"{images.FOLDER}/probe.jpg"),
        )
        digest.update(repr(values).encode())
        _renderer = digest.hexdigest()
    return _renderer


def _forget_renderer(**kwargs):
    global _renderer  # noqa: PLW0603
    _renderer = None


def digest_of(article):
    """What `rendered_for` holds when the stored parts match `article`'s row and the renderer."""
    state = (renderer(), *(getattr(article, name) for name in SHOWN_COLUMNS))
    return hashlib.blake2b(repr(state).encode(), digest_size=16).hexdigest()


def is_current(article):
    return article.rendered_for == digest_of(article)


def prefetches():
    """What rendering reads beyond the article row and its lead image."""
    picks = RelatedPick.objects.order_by("position", "pk").only("article_id", "related_id")
    return [*page_prefetches(), Prefetch("related_picks", queryset=picks)]


def for_rendering():
    return Article.objects.for_page().prefetch_related(prefetches()[-1])


def render(article):
    """Render the parts onto `article` (read with `for_rendering()`), without storing them:
    staff previews show exactly what is saved now."""
    context = {"article": article, "request": _on_its_page(article), **site_context(None)}
    for field, part in PARTS.items():
        setattr(article, field, render_to_string(f"{PARTS_TEMPLATE}#{part}", context))
    article.recent_topic_ids = _ids(topic.pk for topic in article.topics.all())
    article.recent_pick_ids = _ids(pick.related_id for pick in article.related_picks.all())


def _on_its_page(article):
    """A stand-in for the request of the article's own page: the parts are the same for every
    reader, and the only thing they read of a request is its address."""
    request = HttpRequest()
    request.path = request.path_info = article.get_absolute_url()
    return request


def _ids(ids):
    return ",".join(str(int(each)) for each in ids)


def ids(text):
    """The ids stored by `render()`, as ints."""
    return [int(each) for each in text.split(",") if each]


def store(article, *, read_as):
    """Store the parts rendered on `article`, unless its `rendered_for` moved on from
    `read_as` since it was read (another change, or another view storing first)."""
    Article.objects.filter(pk=article.pk, rendered_for=read_as).update(
        rendered_for=digest_of(article), **{field: getattr(article, field) for field in STORED}
    )


def ensure_rendered(article):
    """The live page: `article` as `live_article()` read it. Out-of-date parts are rendered
    from the rows they read (six queries, image or not) and stored (one) before use."""
    if is_current(article):
        return
    read_as = article.rendered_for
    article.lead_image = LeadImage.objects.filter(pk=article.lead_image_id).first()
    prefetch_related_objects([article], *prefetches())
    render(article)
    store(article, read_as=read_as)


def refresh(article):
    """Render and store `article`'s parts now; write paths call it once everything is saved."""
    fresh = for_rendering().get(pk=article.pk)
    read_as = fresh.rendered_for
    render(fresh)
    store(fresh, read_as=read_as)


def mark_stale(articles):
    """Tell the page of `articles` (ids or a queryset) to render again: a token no rendering
    was stored for, new on every call so a rendering begun before it can never be stored."""
    Article.objects.filter(pk__in=articles).update(rendered_for=STALE + uuid.uuid4().hex)


# What marks articles stale --------------------------------------------------------------------


def _part_changed(sender, instance, origin=None, **kwargs):
    """A section, byline, correction or Recent News pick was saved or deleted."""
    if isinstance(origin, Article) or getattr(origin, "model", None) is Article:
        return  # deleted with its article
    mark_stale([instance.article_id])


def _topics_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:  # article.topics.add/remove/set/clear
        if action in ("post_add", "post_remove") and pk_set or action == "post_clear":
            mark_stale([instance.pk])
    elif action in ("post_add", "post_remove") and pk_set:  # topic.articles.add/remove
        mark_stale(pk_set)
    elif action == "pre_clear":  # topic.articles.clear(), in the same transaction
        mark_stale(Article.objects.filter(topics=instance))


def _shown_by(instance):
    if isinstance(instance, Author):
        return Article.objects.filter(bylines__author=instance)
    return Article.objects.filter(topics=instance)


def _remember_name(sender, instance, **kwargs):
    if instance.pk is not None:
        instance._shown_before = (
            sender.objects.filter(pk=instance.pk).values_list("name", "slug").first()
        )


def _renamed(sender, instance, created, **kwargs):
    """An author or topic the pages show by name and address was renamed (not a bio edit)."""
    before = instance.__dict__.pop("_shown_before", None)
    if created or before == (instance.name, instance.slug):
        return
    mark_stale(_shown_by(instance))
    # Readers would render them one by one on first view; a task renders them ahead.
    from articles.tasks import render_articles_showing

    transaction.on_commit(
        partial(render_articles_showing.enqueue, sender._meta.model_name, instance.pk)
    )


def _topic_deleted(sender, instance, **kwargs):
    mark_stale(_shown_by(instance))


def connect():
    setting_changed.connect(_forget_renderer, dispatch_uid="articles-rendering-settings")
    for model in (Section, Byline, Correction, RelatedPick):
        for signal in (post_save, post_delete):
            signal.connect(
                _part_changed, sender=model, dispatch_uid=f"articles-rendering-{model.__name__}"
            )
    m2m_changed.connect(
        _topics_changed, sender=Article.topics.through, dispatch_uid="articles-rendering-topics"
    )
    for model in (Author, Topic):
        pre_save.connect(
            _remember_name, sender=model, dispatch_uid=f"articles-rendering-name-{model.__name__}"
        )
        post_save.connect(
            _renamed, sender=model, dispatch_uid=f"articles-rendering-renamed-{model.__name__}"
        )
    pre_delete.connect(_topic_deleted, sender=Topic, dispatch_uid="articles-rendering-topic-gone")
