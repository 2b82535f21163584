from django.contrib import admin
from django.urls import include, path

from articles import views

admin.site.site_header = "HKAI editors"
admin.site.site_title = "HKAI admin"
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("", include("articles.urls")),
]
