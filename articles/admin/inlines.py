"""The parts of an article edited on its page beside its text: byline, Recent News picks, and
corrections on a live article."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from articles.access import can_publish
from articles.forms import BylineFormSet, PositionedFormSet
from articles.models import Author, Byline, Correction, RelatedPick


class NamedColumnsMixin:
    """A table's inputs have their column's heading for sighted editors only; `input_names`
    gives each one its name for screen readers too (and the pickers' script,
    static/admin/js/article_form.js, passes it on to the picker it becomes)."""

    input_names = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in self.input_names:
            widget = getattr(field.widget, "widget", field.widget)  # inside the "+" wrapper
            widget.attrs["aria-label"] = self.input_names[db_field.name]
        return field


class BylineInline(NamedColumnsMixin, admin.TabularInline):
    model = Byline
    formset = BylineFormSet
    fields = ["author", "position"]
    autocomplete_fields = ["author"]
    extra = 1
    verbose_name = "author"
    verbose_name_plural = "Written by"
    input_names = {"author": "Author", "position": "Position in the byline"}
    after_fieldset = "Headline"  # where the change form template places this inline

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if not can_publish(request):
            author = Author.objects.filter(user=request.user).first()
            formset.required_author = author
            formset.writer_without_author = author is None
        return formset


class RelatedPickInline(NamedColumnsMixin, admin.TabularInline):
    model = RelatedPick
    fk_name = "article"
    formset = PositionedFormSet
    fields = ["related", "position"]
    autocomplete_fields = ["related"]
    verbose_name = "Recent News pick"
    input_names = {"related": "Recent News pick", "position": "Position among the picks"}
    verbose_name_plural = "Recent News picks (shown first, before the newest articles)"
    after_fieldset = "Text"
    classes = ["collapse"]  # a first draft does without

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("labels", {"related": "Article"})
        return super().get_formset(request, obj, **kwargs)

    extra = 1


class CorrectionForm(forms.ModelForm):
    class Meta:
        model = Correction
        fields = ["kind", "published_at", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"})}

    def clean_published_at(self):
        published_at = self.cleaned_data["published_at"]
        if published_at > timezone.now():
            raise forms.ValidationError(
                "Date a correction today or earlier: it is shown as soon as it is saved.",
                code="correction_in_future",
            )
        return published_at


class CorrectionInline(admin.StackedInline):
    """Corrections and updates on a live article (ArticleAdmin.get_inlines). They stay for the
    record: no deleting, only fixing their wording."""

    model = Correction
    form = CorrectionForm
    extra = 1
    can_delete = False
    verbose_name = "correction or update"
    verbose_name_plural = "Corrections and updates (shown at the end of the article)"
    after_fieldset = "Text"
    classes = ["collapse"]

    def has_delete_permission(self, request, obj=None):
        return False
