"""EMAIL_URL, as settings.py reads it, turned into Django 6.1's MAILERS entry (django-environ
only knows the old EMAIL_* settings)."""

import re
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def mailer_from_url(url, *, debug, outbox, timeout):
    """Build Django 6.1's MAILERS entry from an EMAIL_URL (django-environ only knows EMAIL_*)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    simple = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if scheme in simple:
        return {"BACKEND": simple[scheme]}
    if scheme == "outbox":
        # Keeps email on this machine, and its page shows every confirmation link.
        if not debug:
            raise ImproperlyConfigured(
                "EMAIL_URL=outbox:// is the development mailer: it needs DEBUG on. "
                "Production sends through smtp://, submission:// or smtps://."
            )
        return {
            "BACKEND": "newsroom.outbox.OutboxMailer",
            "OPTIONS": {"directory": str(outbox)},
        }
    if scheme == "anymail":
        return _email_service(parts)
    if scheme not in {"smtp", "smtps", "submission"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme {scheme!r} is not one of smtp, smtps, submission, anymail, "
            "console, outbox."
        )
    default_port = {"smtp": 25, "smtps": 465, "submission": 587}[scheme]
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": parts.hostname or "localhost",
            "port": parts.port or default_port,
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_ssl": scheme == "smtps",
            "use_tls": scheme == "submission",
            "timeout": timeout,
        },
    }


def _email_service(parts):
    """anymail://<service>?<option>=<value>&…: an email service's API through django-anymail,
    e.g. anymail://mailgun?api_key=…&sender_domain=mg.example.org or
    anymail://postmark?server_token=…; the options are that backend's own (its documentation's
    settings, lower-cased). Its webhook keys are in ANYMAIL (settings.py)."""
    service = (parts.hostname or "").lower()
    if not re.fullmatch(r"[a-z][a-z_]*", service):
        raise ImproperlyConfigured("EMAIL_URL=anymail://<service>: name the email service.")
    return {
        "BACKEND": f"anymail.backends.{service}.EmailBackend",
        "OPTIONS": dict(parse_qsl(parts.query)),
    }
