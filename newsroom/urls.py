from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from newsroom import health, outbox

admin.site.site_header = f"{settings.SITE_NAME} admin"
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.index_title = "Newsroom desk"
admin.site.site_url = "/"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("newsletter/", include("newsletter.urls")),
    path("", include("federation.urls")),
    path("", include("articles.urls")),
]
# Uploaded images in development; in production the front server or the storage serves them.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
if settings.DEBUG:
    # The development outbox: the emails `make run` kept instead of sending (newsroom/outbox.py).
    urlpatterns.append(path("dev/outbox/", outbox.outbox, name="outbox"))
