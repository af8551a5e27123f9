"""The framework floor: one Django view returning saved article bytes from memory."""

from pathlib import Path

from django.http import HttpResponse
from django.urls import path

PAGE = Path(__import__("os").environ["BENCH_FLOOR_FILE"]).read_bytes()


def floor(request):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [path("healthz", floor), path("floor/", floor)]
