from django.urls import path

from federation import views

app_name = "federation"

urlpatterns = [
    path(".well-known/webfinger", views.webfinger, name="webfinger"),
    path(".well-known/nodeinfo", views.nodeinfo_links, name="nodeinfo-links"),
    path("nodeinfo/2.1", views.nodeinfo, name="nodeinfo"),
    path("ap/actor", views.actor, name="actor"),
    path("ap/inbox", views.inbox, name="inbox"),
    path("ap/outbox", views.outbox, name="outbox"),
    path("ap/followers", views.followers, name="followers"),
    path("ap/following", views.following, name="following"),
    path("ap/articles/<int:pk>/<int:generation>", views.article_object, name="article"),
    # The article's own address, before articles.urls (newsroom/urls.py includes this first):
    # the same page for browsers, the ActivityPub object for servers that ask for it.
    path("news/<slug:slug>/", views.article_page, name="article-page"),
]
