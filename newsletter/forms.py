import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from newsletter.models import normalize_address

# Line breaks and other control characters are how header injection starts.
CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
# One plain address: no display names, lists, quoted local parts or address literals.
NOT_PLAIN = re.compile(r"[\s\"<>,;:()\[\]\\]")
MAX_LENGTH = 254


class SignupForm(forms.Form):
    email = forms.CharField(strip=False, error_messages={"required": "Enter your email address."})
    source = forms.CharField(required=False, strip=False)
    # The honeypot: hidden from people and assistive technology; bots that fill it are dropped.
    website = forms.CharField(required=False, strip=False)

    def clean_email(self):
        raw = self.cleaned_data["email"]
        if CONTROL.search(raw):
            raise ValidationError(
                "Enter the address on one line, without line breaks or control characters.",
                code="control",
            )
        value = raw.strip()
        if not value:
            raise ValidationError("Enter your email address.", code="required")
        if len(value) > MAX_LENGTH:
            raise ValidationError(
                f"That is too long for an email address ({len(value)} characters; "
                f"the most is {MAX_LENGTH}).",
                code="max_length",
            )
        if NOT_PLAIN.search(value):
            raise ValidationError(
                "Enter just one address, like name@example.com, without spaces or brackets.",
                code="not_plain",
            )
        EmailValidator(message="Enter a complete email address, like name@example.com.")(value)
        return normalize_address(value)

    def clean_source(self):
        """The page path the form was on; anything else is recorded as unknown."""
        source = self.cleaned_data["source"]
        is_path = source.startswith("/") and not source.startswith("//")
        if not is_path or len(source) > 200 or CONTROL.search(source):
            return ""
        return source
