"""WSGI entry point: `gunicorn -c gunicorn.conf.py hkai_site.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkai_site.settings")

application = get_wsgi_application()
