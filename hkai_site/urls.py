from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.views.generic import RedirectView

from articles import views
from articles.api import api
from articles.sitemaps import SITEMAPS

from . import health

# Read when each admin page is drawn, so they follow settings.SITE_NAME.
site_name = lazy(lambda: settings.SITE_NAME, str)
admin.site.site_header = format_lazy("{} editors", site_name())
admin.site.site_title = format_lazy("{} admin", site_name())
admin.site.index_title = "Newsroom"

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("livez", health.livez, name="livez"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Browsers and feed readers ask for /favicon.ico whatever a page links.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("img/favicon.svg"))),
    path("llms.txt", views.llms_txt, name="llms_txt"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path(settings.API_PREFIX.strip("/") + "/", api.urls),
]
# The reader's pages in each interface: English unprefixed (the addresses they always
# had), /zh-hant/... and /zh-hans/... (articles/addresses.py).
urlpatterns += i18n_patterns(path("", include("articles.urls")), prefix_default_language=False)

handler403 = "articles.views.permission_denied"
handler404 = "articles.views.page_not_found"
handler500 = "articles.views.server_error"
