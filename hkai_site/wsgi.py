"""WSGI entry point: `gunicorn -c gunicorn.conf.py hkai_site.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai_site.settings")

django_application = get_wsgi_application()

from .front_door import FrontDoor  # noqa: E402  (needs Django set up)

# Cached public pages are answered before Django's handler (hkai_site/front_door.py).
application = FrontDoor(django_application)

# Work a first request would otherwise do, done as each worker starts.
from articles.search.text import load_converters  # noqa: E402

load_converters()
