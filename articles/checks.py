"""Deployment checks of the readers' side (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@checks.register(checks.Tags.caches, deploy=True)
def page_cache_is_shared(app_configs, **kwargs):
    """The page cache is told of a change in the process that made it: workers and machines
    that keep their own cache serve their old copies until those expire."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.PAGE_CACHE_SECONDS and backend in PER_PROCESS_CACHES:
        return [
            checks.Warning(
                "The page cache lives in each process's own memory: a change made through one "
                "gunicorn worker reaches readers of the others only after PAGE_CACHE_SECONDS.",
                hint="Share one cache between every worker and machine: "
                "CACHE_URL=redis://host:6379/0 (or set PAGE_CACHE_SECONDS=0).",
                id="articles.W001",
            )
        ]
    return []
