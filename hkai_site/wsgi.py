"""WSGI entry point: `gunicorn -c gunicorn.conf.py hkai_site.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai_site.settings")

application = get_wsgi_application()

# Work a first request would otherwise do, done as each worker starts.
from articles.search.text import load_converters  # noqa: E402

load_converters()
