"""System checks of our own, run by `manage.py check` (`--deploy` for the production ones)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from newsroom.client import proxies


@register(Tags.security)
def check_forwarded_allow_ips_parse(app_configs, **kwargs):
    try:
        proxies()
    except ImproperlyConfigured as error:
        return [
            Error(str(error), hint="Addresses or networks, comma-separated.", id="newsroom.E001")
        ]
    return []


@register(Tags.security, deploy=True)
def check_forwarded_allow_ips(app_configs, **kwargs):
    """ "*" lets any peer name its client: straight to gunicorn, a stranger picks an address of
    their choosing for each login attempt and signup."""
    if "*" not in settings.FORWARDED_ALLOW_IPS:
        return []
    return [
        Warning(
            "FORWARDED_ALLOW_IPS is '*': any client that reaches gunicorn directly can name its "
            "own address in X-Forwarded-For and escape the admin lockout and the signup limits.",
            hint="List your proxies' addresses or networks instead (default: 127.0.0.1,::1).",
            id="newsroom.W001",
        )
    ]
