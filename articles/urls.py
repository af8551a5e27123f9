from django.urls import path

from articles import lists, views

app_name = "articles"

urlpatterns = [
    path("", lists.home, name="home"),
    path("news/<slug:slug>/", views.article, name="article"),
]
