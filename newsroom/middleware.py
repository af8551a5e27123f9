from django.conf import settings
from django.utils.csp import CSP

# Django's admin loads its own scripts and inline SVG icons; it is the only part of the site
# that gets scripts, and only with a nonce.
ADMIN_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.SELF],
}


class StaffAreaMiddleware:
    """Give admin pages their own CSP and keep them out of every cache."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/" + settings.ADMIN_URL

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefix):
            response._csp_config = ADMIN_CSP
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response
