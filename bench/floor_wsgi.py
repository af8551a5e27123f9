"""gunicorn app for the framework floor: the project's settings and middleware, a bare view."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

from django.conf import settings  # noqa: E402

settings.ROOT_URLCONF = "bench.floor_urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
