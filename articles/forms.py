"""The forms editors write articles with (used by the admin)."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from articles import services
from articles.models import Article, Section


class ArticleForm(forms.ModelForm):
    mark_updated = forms.BooleanField(
        label="Mark as updated",
        required=False,
        help_text=(
            'Show "Updated on" with the time of this save. Tick it for a correction or a '
            "meaningful update to a live article, not for a typo fix."
        ),
    )

    class Meta:
        model = Article
        fields = [
            "headline",
            "slug",
            "dek",
            "topics",
            "status",
            "published_at",
            "summary_lead",
            "summary",
            "take",
        ]
        widgets = {
            "headline": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "dek": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            "summary": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
            "take": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "topics": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            # Admin help text is HTML, so the model's "<slug>" would vanish here.
            "slug": "The last part of the address: /news/this-part/. Changing it on a live "
            "article keeps the old address working (it redirects).",
        }

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        services.check_slug(slug, self.instance)
        return slug

    def clean(self):
        cleaned = super().clean()
        # Writers do not get the status field; what they save keeps the stored status.
        status = cleaned.get("status", self.instance.status)
        if status == Article.Status.PUBLISHED:
            if "summary" in self.fields and not (cleaned.get("summary") or "").strip():
                self.add_error(
                    "summary",
                    ValidationError(
                        "Add a summary before publishing: readers see it right under the byline.",
                        code="summary_missing",
                    ),
                )
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


class PositionedFormSet(BaseInlineFormSet):
    """Rows ordered by a `position` the editor may leave blank: blank ones go to the end."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
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


class SectionFormSet(PositionedFormSet):
    def clean(self):
        super().clean()
        if self.instance.status == Article.Status.PUBLISHED and not self.kept_forms():
            raise ValidationError(
                "Add at least one section before publishing: the house format needs a lead-in, "
                "a sentence and bullets.",
                code="section_missing",
            )


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


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["position", "lead_in", "text", "bullets"]
        widgets = {
            "lead_in": forms.TextInput(attrs={"class": "vTextField"}),
            "text": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            "bullets": forms.Textarea(attrs={"rows": 5, "class": "vLargeTextField"}),
        }
        help_texts = {
            "text": "One sentence after the lead-in. Links: [text](https://…), **bold**, *italic*.",
            "bullets": "One bullet per line; the same links and emphasis work here.",
        }

    def validate_constraints(self):
        # The formset compares positions across every submitted section. Comparing one section
        # with the rows still in the database would refuse swapping two sections in one save;
        # the deferred constraint checks the final order at commit.
        exclude = self._get_validation_exclusions() | {"position"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)
