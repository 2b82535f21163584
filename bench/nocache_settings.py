"""The site with every cache off (pages, counts, lists, search results) but the cards
kept per version of what they show (articles/fragments.py), which an edit does not
throw away: the benchmark's long-tail mode, where each request is a page nobody asked
for since the last edit. BENCH_CARDS=off turns those off too."""

import os

from hkai_site.settings import *  # noqa: F403
from hkai_site.settings import CACHES as SITE_CACHES

DUMMY = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
CARDS = DUMMY if os.environ.get("BENCH_CARDS") == "off" else SITE_CACHES["fragments"]
CACHES = {"default": DUMMY, "fragments": CARDS}
