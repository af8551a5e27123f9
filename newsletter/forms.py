import re

from django import forms
from django.core.exceptions import ValidationError

from newsletter.addresses import MAX_LENGTH, Unmailable, normalize_address

# Line breaks and other control characters are how header injection starts.
CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
# One plain address: no display names, lists, quoted local parts or address literals.
NOT_PLAIN = re.compile(r"[\s\"<>,;:()\[\]\\]")
PLAIN_ONLY = "Enter just one address, like name@example.com, without spaces or brackets."


class SignupForm(forms.Form):
    email = forms.CharField(strip=False, error_messages={"required": "Enter your email address."})
    # The page the form was on; newsletter/services.py keeps only what may be kept of it.
    source = forms.CharField(required=False, strip=False)
    # The honeypot: hidden from people and assistive technology; bots that fill it are dropped.
    website = forms.CharField(required=False, strip=False)

    def clean_email(self):
        """The address in its one spelling (newsletter/addresses.py), or a form error for
        anything our mail server could not send to: nothing is kept for it."""
        raw = self.cleaned_data["email"]
        if CONTROL.search(raw):
            raise ValidationError(
                "Enter the address on one line, without line breaks or control characters.",
                code="control",
            )
        if not raw.strip():
            raise ValidationError("Enter your email address.", code="required")
        if len(raw.strip()) > MAX_LENGTH:
            raise ValidationError(
                f"That is too long for an email address ({len(raw.strip())} characters; "
                f"the most is {MAX_LENGTH}).",
                code="max_length",
            )
        # Checked before and after folding: fullwidth brackets or commas become real ones.
        if NOT_PLAIN.search(raw.strip()):
            raise ValidationError(PLAIN_ONLY, code="not_plain")
        try:
            address = normalize_address(raw)
        except Unmailable as error:
            raise ValidationError(str(error), code="unmailable") from None
        if NOT_PLAIN.search(address):
            raise ValidationError(PLAIN_ONLY, code="not_plain")
        return address
