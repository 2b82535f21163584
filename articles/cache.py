"""Caching that is never stale.

Every change to public content (articles, sections, tags; saved through the admin,
commands, revisions or fixtures) bumps one database row, `ContentVersion`, in the same
transaction as the change (articles/signals.py calls `changed()`). Cached pages and
cached query results are keyed on that version, so:

* all workers and all servers see a change at the moment it commits — the version
  lives in the shared database, whatever the cache backend (local memory or Redis);
* nothing needs deleting: entries for older versions are never read again and age out;
* a scheduled article going live counts as a change: the row remembers the next
  scheduled time, and the first request after it bumps the version (no cron job).

`PageCacheMiddleware` serves whole public pages from the cache with ETag and
Last-Modified, answering conditional requests with 304.
"""

import contextvars
import datetime
import hashlib
import math
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import Min
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from . import topics
from .models import Article, ContentVersion

PAGE_TIMEOUT = 24 * 60 * 60
DATA_TIMEOUT = 24 * 60 * 60
# Per request (set by PageCacheMiddleware for every request): the content version,
# read at most once however many cached() values the request uses.
REQUEST_STATE = contextvars.ContextVar("content_state", default=None)


VERSION_SQL = "SELECT version, changed, next_publication FROM articles_contentversion WHERE id = 1"


def current_version():
    """(version, changed) as of now, `changed` in seconds since 1970. Moves on by itself
    when a scheduled publication time (milliseconds since 1970) passes. One small query,
    on every page request."""
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    if row is None or (row[2] is not None and row[2] <= time.time() * 1000):
        with transaction.atomic():
            if row is not None:  # a scheduled article went live: its topics count it now
                since = datetime.datetime.fromtimestamp((row[2] - 1) / 1000, datetime.UTC)
                topics.went_live(since)
            changed()
        return current_version()
    return row[0], row[1]


def changed():
    """Record that public content changed (call inside the writing transaction)."""
    now = timezone.now()
    upcoming = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=now
    ).aggregate(at=Min("published_at"))["at"]
    # A random version, not a counter: a restored backup or a rolled-back transaction
    # can never bring back a version number whose cached pages show other content.
    fields = {
        "version": secrets.randbits(62),
        "changed": int(now.timestamp()),
        "next_publication": math.ceil(upcoming.timestamp() * 1000) if upcoming else None,
    }
    with transaction.atomic():
        if not ContentVersion.objects.filter(pk=1).update(**fields):
            ContentVersion.objects.get_or_create(pk=1, defaults=fields)


def cached(name, compute):
    """`compute()`'s result, computed once per content version (for costly queries:
    counts, the topic list, related articles, search results)."""
    state = REQUEST_STATE.get()
    if state is None:  # outside a request (commands, shell)
        version = current_version()[0]
    else:
        if "version" not in state:
            state["version"] = current_version()[0]
        version = state["version"]
    key = f"hkai:data:{version}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, DATA_TIMEOUT)
    return value


class PageCacheMiddleware:
    """Serve anonymous GET/HEAD requests for public pages from the cache.

    A page is cached when the view returned 200, set no cookie and did not forbid
    caching (previews send no-cache). Requests carrying a session cookie (staff) and
    the admin bypass the cache. The key holds the content version, the language and
    the full path with its query string.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_PATH
        self.api_prefix = settings.API_PREFIX  # the API revalidates with its own ETags
        self.uncached = ("/livez", "/healthz")  # probes and the benchmark baseline

    def __call__(self, request):
        state = {}
        token = REQUEST_STATE.set(state)
        try:
            if not self.cacheable_request(request):
                return self.get_response(request)
            try:
                version, changed_at = current_version()
            except DatabaseError:  # no database (yet): the view decides what to answer
                return self.get_response(request)
            state["version"] = version
            return self.serve(request, version, changed_at)
        finally:
            REQUEST_STATE.reset(token)

    def serve(self, request, version, changed_at):
        language = translation.get_language_from_request(request)
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"hkai:page:{version}:{language}:{digest}"
        response = cache.get(key)
        if response is None:
            response = self.get_response(request)
            if not self.cacheable_response(response):
                return response
            self.add_validators(response, changed_at)
            cache.set(key, response, PAGE_TIMEOUT)
        etag, last_modified = response.get("ETag"), response.get("Last-Modified")
        return get_conditional_response(
            request, etag=etag, last_modified=_parse_date(last_modified), response=response
        )

    def cacheable_request(self, request):
        request.get_host()  # an unknown Host is refused (400) before any cache lookup
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path_info.startswith((self.admin_prefix, self.api_prefix))
            and request.path_info not in self.uncached
        )

    @staticmethod
    def cacheable_response(response):
        control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "no-cache" not in control
            and "private" not in control
        )

    @staticmethod
    def add_validators(response, changed_at):
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response["Last-Modified"] = http_date(changed_at)
        response.setdefault("Cache-Control", "public, max-age=0, must-revalidate")
        patch_vary_headers(response, ("Accept-Language", "Cookie"))


def _parse_date(value):
    return parse_http_date_safe(value) if value else None
