from django.conf import settings


def site(request):
    """The site's identity, the same for every reader (no per-request state)."""
    return {
        "site": {
            "name": settings.SITE_NAME,
            "url": settings.SITE_URL,
            "description": settings.SITE_DESCRIPTION,
            "language": settings.SITE_LANGUAGE,
            "pitch": settings.NEWSLETTER_PITCH,
        }
    }
