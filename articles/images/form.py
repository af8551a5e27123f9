"""The lead image fields of the article form."""

from django import forms
from django.core.exceptions import ValidationError

from articles.images.storage import store_lead_image
from articles.images.uploads import MAX_BYTES, MIN_HEIGHT, MIN_WIDTH, accept_upload


class LeadImageFormMixin(forms.Form):
    """The lead image fields of the article form: an upload checked by `accept_upload()`, a
    way to remove the image, and the alt text required whenever an image is shown."""

    lead_image_upload = forms.FileField(
        label="Lead image",
        required=False,
        help_text=(
            f"JPEG, PNG or WebP, at least {MIN_WIDTH} × {MIN_HEIGHT} pixels, up to "
            f"{MAX_BYTES // (1024 * 1024)} MB. Camera and location data are removed."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_lead_image = forms.BooleanField(
        label="Remove the lead image", required=False, help_text="The file stays in storage."
    )

    def clean_lead_image_upload(self):
        upload = self.cleaned_data.get("lead_image_upload")
        if not upload:
            return None
        return accept_upload(upload)

    def clean(self):
        cleaned = super().clean()
        accepted = cleaned.get("lead_image_upload")
        removing = cleaned.get("remove_lead_image") and not accepted
        shows_image = accepted or (self.instance.lead_image_id and not removing)
        if shows_image and not (cleaned.get("lead_image_alt") or "").strip():
            self.add_error(
                "lead_image_alt",
                ValidationError(
                    "Describe the picture in a few words for readers who cannot see it: alt "
                    "text is required with a lead image.",
                    code="image_alt_missing",
                ),
            )
        if accepted and self.errors:
            self.add_error(
                "lead_image_upload",
                ValidationError(
                    "The picture was fine, but browsers forget a chosen file when a save "
                    "fails: choose it again.",
                    code="image_choose_again",
                ),
            )
        return cleaned

    def apply_lead_image(self, article, *, user):
        """Store an accepted upload (or drop the image) on `article`, before it is saved."""
        accepted = self.cleaned_data.get("lead_image_upload")
        if accepted:
            article.lead_image = store_lead_image(accepted, user=user)
        elif self.cleaned_data.get("remove_lead_image"):
            article.lead_image = None
