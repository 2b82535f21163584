"""Addresses of the public pages that a page links many times (articles, topics, months,
authors), made without a reverse() for each link.

A page of cards links each article, its month, each of its topics and its authors:
about 80 reverse() calls on a topic page, 16% of its time with nothing cached (15-40 us
each). reverse() makes each address's shape once per interface (the language prefix)
and script prefix; a slug is then quoted as reverse() quotes it. tests/test_links.py
checks every one against reverse().
"""

import functools
from urllib.parse import quote

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.timezone import localtime
from django.utils.translation import get_language

SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse() leaves unquoted
SLUG = ("standin",)  # stand-ins that each URL pattern below accepts, in no prefix
MONTH = ("8888", "77")


@functools.lru_cache(maxsize=256)
def _parts(name, stand_ins, language, script_prefix):
    """The text around each argument of `name`'s address: reverse() of stand-ins, once
    per interface (`language`) and script prefix. (No request here sets its own URLconf,
    request.urlconf, which reverse() would also follow.)"""
    address = reverse(name, args=stand_ins)
    parts = []
    for stand_in in stand_ins:
        before, address = address.split(stand_in, 1)
        parts.append(before)
    return (*parts, address)


@receiver(setting_changed)
def _forget(setting, **kwargs):
    """Tests (and only tests) change the URLconf or the languages under a running site."""
    if setting in {"ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE"}:
        _parts.cache_clear()


def _shape(name, stand_ins=SLUG):
    return _parts(name, stand_ins, get_language(), get_script_prefix())


def address(name):
    """reverse(name) for a URL taking no argument, in the interface of the page."""
    return _shape(name, ())[0]


def slug_address(name, slug):
    """reverse(name, args=[slug]) for a URL taking one slug."""
    before, after = _shape(name)
    return f"{before}{quote(slug, safe=SAFE)}{after}"


def tag(tag):
    return slug_address("articles:tag", tag.slug)


def month(when):
    """The archive of the month `when` (an aware time) falls in, in the site's time
    zone, as the templates' `date:'Y'` and `date:'m'` read it."""
    when = localtime(when)
    before, between, after = _shape("articles:archive_month", MONTH)
    return f"{before}{when.year:04}{between}{when.month:02}{after}"
