from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.staticfiles import apps as staticfiles
from taggit.apps import TaggitAppConfig


class SiteConfig(AppConfig):
    """The project package as an app: its management commands (backup, restore)."""

    name = "hkai_site"
    verbose_name = "Site"


class StaticFilesConfig(staticfiles.StaticFilesConfig):
    """collectstatic without what django-ninja ships but the site never serves: the
    ReDoc renderer (the API docs use Swagger UI) and an unreferenced source map.
    Compressing them tripled collectstatic's time."""

    ignore_patterns = [
        *staticfiles.StaticFilesConfig.ignore_patterns,
        "ninja/redoc.*",
        "ninja/swagger-ui-bundle.js.map",
    ]


class LoginAttemptsConfig(AxesAppConfig):
    """django-axes, named in words on the admin's index."""

    verbose_name = "Login attempts"


class TagsConfig(TaggitAppConfig):
    """django-taggit, named in words on the admin's index."""

    verbose_name = "Tags"
