from django.urls import path

from articles import corrections, feeds, lists, previews, search, sitemaps, views

app_name = "articles"

urlpatterns = [
    path("", lists.home, name="home"),
    path("news/<slug:slug>/", views.article, name="article"),
    # Discovery: lists, search, feeds, sitemaps.
    path("topics/", lists.topics, name="topics"),
    path("topics/<slug:slug>/", lists.topic, name="topic"),
    path("topics/<slug:slug>/feeds/rss/", feeds.TopicFeed(), name="topic-feed-rss"),
    path("topics/<slug:slug>/feeds/atom/", feeds.TopicAtomFeed(), name="topic-feed-atom"),
    path("authors/<slug:slug>/", lists.author, name="author"),
    path("authors/<slug:slug>/feeds/rss/", feeds.AuthorFeed(), name="author-feed-rss"),
    path("authors/<slug:slug>/feeds/atom/", feeds.AuthorAtomFeed(), name="author-feed-atom"),
    path("search/", search.search, name="search"),
    path("feeds/rss/", feeds.SiteFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.SiteAtomFeed(), name="feed-atom"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-news.xml", sitemaps.news, name="sitemap-news"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap-section"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    # Editorial integrity: the corrections record and shareable previews.
    path("corrections/", corrections.corrections_page, name="corrections"),
    path("preview/<str:token>/", previews.preview, name="preview"),
]
