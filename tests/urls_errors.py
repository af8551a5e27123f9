"""A URLconf with a view that fails, to see the 500 page a reader would get."""

from django.urls import include, path


def broken(request):
    raise RuntimeError("secret-internal-detail")


urlpatterns = [
    path("broken/", broken),
    path("", include("newsroom.urls")),
]
