"""The site with every cache off (pages, counts, lists, search results): the benchmark's
long-tail mode, where each request is a page nobody asked for since the last edit."""

from hkai_site.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
