"""The forms editors write articles with (used by the admin)."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from articles import document, services
from articles.models import Article

TEXT_HELP = (
    "The whole article as readers read it, in the house format (paste a page and it fits):<br>"
    "the first paragraph is the <b>summary</b> (“Lead-in: one or two sentences”);<br>"
    "each later paragraph opening with a short lead-in and a colon starts a <b>section</b>;<br>"
    "lines starting with • - * or – are its <b>bullets</b> (indent a line to continue one);<br>"
    "a last one-line paragraph opening with an emoji is <b>the take</b>.<br>"
    "Links: [text](https://…), **bold**, *italic*."
)


# The buttons of the article form beside "Save" (the names they post).
PUBLISH, SCHEDULE, UNPUBLISH = "_publish", "_schedule", "_unpublish"
PUBLISHING_BUTTONS = (PUBLISH, SCHEDULE, UNPUBLISH)


class ArticleTextField(forms.CharField):
    """The article's text in the house grammar (articles/document.py). It is not stored: the
    summary, sections and take are, and the form composes the text from them and parses it
    back, so the two can never drift apart."""

    widget = forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField article-text"})

    def to_python(self, value):
        # Browsers post CRLF; a text that only differs by line endings is unchanged.
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")

    def has_changed(self, initial, data):
        return self.to_python(initial) != self.to_python(data)


def article_text(article):
    """The text of `article`'s stored parts, as the form shows it."""
    sections = article.sections.all() if article.pk else []
    return document.compose(
        article.summary_lead,
        article.summary,
        [(s.lead_in, s.text, s.bullets.splitlines()) for s in sections],
        article.take,
    )


class ArticleForm(forms.ModelForm):
    mark_updated = forms.BooleanField(
        label="Mark as updated",
        required=False,
        help_text=(
            'Show "Updated on" with the time of this save. Tick it for a correction or a '
            "meaningful update to a live article, not for a typo fix."
        ),
    )

    text = ArticleTextField(label="Text", required=False, help_text=TEXT_HELP)

    class Meta:
        model = Article
        fields = [
            "headline",
            "slug",
            "dek",
            "topics",
            "status",
            "published_at",
        ]
        widgets = {
            "headline": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "dek": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            # Set by the publishing buttons; sent back unchanged by a plain save.
            "status": forms.HiddenInput,
        }
        help_texts = {
            # Admin help text is HTML, so the model's "<slug>" would vanish here.
            "slug": "The last part of the address: /news/this-part/. Changing it on a live "
            "article keeps the old address working (it redirects).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "text" not in self.initial:
            self.initial["text"] = article_text(self.instance) if self.instance.pk else ""
        if self.instance.pk and not self.instance.has_own_dek:
            self.initial["dek"] = ""  # taken from the summary: the editor has not written one
        self.document = None

    def clean_text(self):
        text = self.cleaned_data["text"]
        self.document = document.parse(text)
        self.instance.summary_lead = self.document.summary_lead
        self.instance.summary = self.document.summary
        self.instance.take = self.document.take
        return text

    def section_triples(self):
        """The sections the saved text holds, for the write path (after is_valid())."""
        return self.document.section_triples()

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        services.check_slug(slug, self.instance)
        return slug

    def clean(self):
        cleaned = super().clean()
        if "status" in self.fields:
            self._apply_button(cleaned)
        # Writers do not get the status field; what they save keeps the stored status.
        status = cleaned.get("status", self.instance.status)
        if status == Article.Status.PUBLISHED:
            self._check_publishable()
            if "published_at" in self.fields and not cleaned.get("published_at"):
                cleaned["published_at"] = timezone.now()
        if cleaned.get("mark_updated"):
            published_at = cleaned.get("published_at", self.instance.published_at)
            live = (
                status == Article.Status.PUBLISHED
                and published_at is not None
                and published_at <= timezone.now()
            )
            if not live:
                self.add_error(
                    "mark_updated",
                    ValidationError(
                        'Only a live article shows "Updated on"; this one is not live.',
                        code="update_not_live",
                    ),
                )
        return cleaned

    def _apply_button(self, cleaned):
        """What the pressed button asks (the admin shows each only to editors; a plain save
        keeps the status the form was opened with, sent back in a hidden field)."""
        if PUBLISH in self.data:
            cleaned["status"] = Article.Status.PUBLISHED
            # A live article keeps its publish time; anything else goes live now.
            cleaned["published_at"] = (
                self.instance.published_at if self.instance.is_live else timezone.now()
            )
        elif SCHEDULE in self.data:
            cleaned["status"] = Article.Status.PUBLISHED
            when = cleaned.get("published_at")
            if when is None or when <= timezone.now():
                self.add_error(
                    "published_at",
                    ValidationError(
                        "To schedule, pick a date and time still to come (or press Publish now).",
                        code="schedule_not_future",
                    ),
                )
        elif UNPUBLISH in self.data:
            cleaned["status"] = Article.Status.DRAFT

    def _check_publishable(self):
        if self.document is None:
            return  # the text has its own errors
        if not self.document.summary.strip():
            self.add_error(
                "text",
                ValidationError(
                    "Add a summary before publishing: the first paragraph of the text, which "
                    "readers see right under the byline.",
                    code="summary_missing",
                ),
            )
        elif not self.document.sections:
            self.add_error(
                "text",
                ValidationError(
                    "Add at least one section before publishing: a paragraph after the summary "
                    "that opens with a lead-in and a colon, with its bullets under it.",
                    code="section_missing",
                ),
            )


class PositionedFormSet(BaseInlineFormSet):
    """Rows ordered by a `position` the editor may leave blank: blank ones go to the end."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            # Its column heading says "Delete?" to the eye only.
            form.fields["DELETE"].widget.attrs["aria-label"] = "Delete this row"
        position = form.fields.get("position")
        if position is not None:
            position.required = False
            position.help_text = "Lower comes first; leave blank to add at the end."
            # A new row starts blank rather than at the model's 0, so an untouched extra row
            # stays unchanged and is skipped instead of failing validation.
            if form.instance._state.adding:
                form.initial.pop("position", None)
                position.initial = None

    def kept_forms(self):
        """Forms that will be rows after this save: filled in and not marked for deletion."""
        return [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not self._should_delete_form(form)
        ]

    def clean(self):
        kept = self.kept_forms()
        taken = [
            f.cleaned_data["position"] for f in kept if f.cleaned_data.get("position") is not None
        ]
        following = max(taken, default=0) + 1
        for form in kept:
            if form.cleaned_data.get("position") is None:
                form.cleaned_data["position"] = form.instance.position = following
                following += 1
        super().clean()


class BylineFormSet(PositionedFormSet):
    # Set per request by the admin for writers: the author they must stay in the byline as.
    required_author = None
    writer_without_author = False

    def clean(self):
        super().clean()
        if self.writer_without_author:
            raise ValidationError(
                "Your account is not linked to an author yet; ask an editor to link it.",
                code="writer_without_author",
            )
        if self.required_author is not None:
            authors = {form.cleaned_data.get("author") for form in self.kept_forms()}
            if self.required_author not in authors:
                raise ValidationError(
                    f"Keep yourself ({self.required_author}) in the byline: writers edit only "
                    "the articles they write.",
                    code="writer_not_in_byline",
                )
