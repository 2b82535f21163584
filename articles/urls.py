from django.urls import path, re_path, register_converter

from . import feeds, views


class UnicodeSlugConverter:
    """Slugs as stored (letters of any script, digits, _ and -), at most 200 characters."""

    regex = r"[-\w]{1,200}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UnicodeSlugConverter, "uslug")

app_name = "articles"
urlpatterns = [
    path("", views.ArticleListView.as_view(), name="list"),
    path("articles/<uslug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("articles/<uslug:slug>.md", views.article_markdown, name="markdown"),
    path("tags/", views.tag_index, name="tag_index"),
    path("tags/<uslug:slug>/", views.TagArticleListView.as_view(), name="tag"),
    path("tags/<uslug:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("tags/<uslug:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag_atom_feed"),
    path("authors/<uslug:slug>/", views.AuthorArticleListView.as_view(), name="author"),
    path("authors/<uslug:slug>/feed/", feeds.AuthorFeed(), name="author_feed"),
    path("authors/<uslug:slug>/feed/atom/", feeds.AuthorAtomFeed(), name="author_atom_feed"),
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="atom_feed"),
    path("preview/<str:token>/", views.preview_link, name="preview"),
    path("search/", views.SearchView.as_view(), name="search"),
    # Four-digit years and two-digit months: one address per month (02, never 2).
    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.archive_year, name="archive_year"),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        views.ArchiveMonthView.as_view(),
        name="archive_month",
    ),
    path("language/<str:code>/", views.switch_language, name="language"),
]
