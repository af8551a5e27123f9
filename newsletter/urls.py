from django.urls import path  # noqa: F401  (routes arrive with the signup views)

app_name = "newsletter"

urlpatterns = []
