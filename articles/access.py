"""Who is looking at a public page.

Public pages must be the same for every reader, so they never read the session on their own:
reading it adds `Vary: Cookie` and makes a cached page per visitor. Only a request that already
carries a session cookie can belong to a logged-in editor, so only such a request is looked up.
"""

from django.conf import settings


def staff_viewer(request):
    """The logged-in, active staff user behind this request, or None without a session cookie."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_staff:
        return user
    return None


PUBLISH_PERMISSION = "articles.publish_article"


def can_publish(request):
    """Editors publish, schedule and unpublish; writers do not."""
    return request.user.has_perm(PUBLISH_PERMISSION)
