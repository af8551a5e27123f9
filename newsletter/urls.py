from django.urls import path

from newsletter import archive, views, webhooks

app_name = "newsletter"

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("check-your-inbox/", views.check_inbox, name="check_inbox"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("webhooks/<slug:provider>/tracking/", webhooks.tracking, name="webhook-tracking"),
    path("archive/", archive.archive_index, name="archive"),
    path("archive/<str:date>/", archive.archive_edition, name="archive-edition"),
]
