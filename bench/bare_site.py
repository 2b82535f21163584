"""The benchmark's baseline: a bare Django project, one view, no middleware, served by
the same gunicorn settings as the site (bench/run.py). Not part of the site."""

import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only-" + "x" * 40,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    LOGGING_CONFIG=None,
)
django.setup()


def hello(request):
    return HttpResponse("hello\n", content_type="text/plain")


urlpatterns = [path("hello", hello)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
