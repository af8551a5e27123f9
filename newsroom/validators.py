"""Validators shared by every app's models and forms."""

from django.core.exceptions import ValidationError

# What starts a new line somewhere: CR, LF and the other line and paragraph separators.
LINE_BREAKS = frozenset("\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def validate_single_line(value):
    """A headline, a subject or a lead-in is one line: a line break typed or pasted into one
    would break the email headers and page titles it flows into."""
    if any(char in LINE_BREAKS for char in value or ""):
        raise ValidationError("Keep this on one line: remove the line break.", code="line_break")
