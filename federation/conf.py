"""Federation's limits, retries and pauses: these defaults, each replaced by the same name in
the FEDERATION_OPTIONS setting (JSON in the environment, e.g. {"DELIVERY_TIMEOUT": 20})."""

from django.conf import settings
from django.core import checks

DEFAULTS = {
    "FETCH_TIMEOUT": 5,  # seconds for a whole exchange fetching an account or its key
    "DELIVERY_TIMEOUT": 10,  # seconds for a whole delivery
    "MAX_DOCUMENT_BYTES": 1_000_000,  # the most read from another server or taken by the inbox
    "ACTOR_CACHE_SECONDS": 86400,  # how long a fetched account and its key are trusted
    "RETRY_DELAY": 60,  # seconds before a failed delivery's first retry, then twice as long
    "MAX_ATTEMPTS": 8,  # tries per delivery
    "PAUSE_AFTER": 5,  # failures in a row before a server is paused
    "PAUSE_SECONDS": 3600,  # its first pause; twice as long each time it fails again
    "CONCURRENCY": 16,  # servers one worker posts to at once
    "ALLOW_LOOPBACK": False,  # tests only: other servers on 127.0.0.0/8 (private ranges never)
}


def option(name):
    return settings.FEDERATION_OPTIONS.get(name, DEFAULTS[name])


def check_options(app_configs, **kwargs):
    """A misspelt option would be ignored without a word: say so at start-up instead."""
    unknown = sorted(set(settings.FEDERATION_OPTIONS) - set(DEFAULTS))
    if not unknown:
        return []
    return [
        checks.Error(
            f"FEDERATION_OPTIONS names unknown options: {', '.join(unknown)}.",
            hint=f"Known: {', '.join(DEFAULTS)}.",
            id="federation.E001",
        )
    ]
