"""The site's URLconf as `make run` (DEBUG on) builds it, for tests that run with DEBUG off."""

from django.urls import include, path

from newsroom import outbox

urlpatterns = [
    path("dev/outbox/", outbox.outbox, name="outbox"),
    path("", include("newsroom.urls")),
]
