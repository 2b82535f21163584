"""Caching that is never stale.

Cached pages and cached query results are keyed on the content's state, read in one
small query per request (`current_version()`):

* the content version, a row that database triggers move in the same transaction as
  every write to what readers see, whichever way it is made (articles/triggers.py) —
  so every worker and server sees a change the moment it commits, whatever the cache
  backend (local memory or Redis);
* the latest publication time that has passed, under the published rule itself: when a
  scheduled article's time comes, the state moves on by itself, with no write (a GET
  never writes; no cron job).

Nothing needs deleting: entries for older states are never read again and age out.
`PageCacheMiddleware` serves whole public pages from the cache with ETag and
Last-Modified, answering conditional requests with 304.
"""

import contextvars
import datetime
import hashlib
from functools import cache as once

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from .models import Article, ContentVersion

PAGE_TIMEOUT = 24 * 60 * 60
DATA_TIMEOUT = 24 * 60 * 60
# Per request (set by PageCacheMiddleware for every request): the content state,
# read at most once however many cached() values the request uses.
REQUEST_STATE = contextvars.ContextVar("content_state", default=None)
# The state query is compiled once per process with this stand-in for "now", which
# each request replaces with the current time (compiling it costs more than running it).
_NOW = datetime.datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)


@once
def _state_sql(vendor):
    """(sql, params, positions of "now" in params): the version row and the latest
    publication time readers can see, in one statement built from the published rule."""
    row = ContentVersion.objects.filter(pk=1)
    live = Article.objects.published(now=_NOW).order_by("-published_at")
    parts = [
        row.values("version").query.sql_with_params(),
        row.values("changed").query.sql_with_params(),
        live.values("published_at")[:1].query.sql_with_params(),
    ]
    sql = "SELECT " + ", ".join(f"({part})" for part, _ in parts)
    params = [param for _, part_params in parts for param in part_params]
    stand_in = connection.ops.adapt_datetimefield_value(_NOW)
    return sql, params, [i for i, param in enumerate(params) if param == stand_in]


def current_version():
    """(state, changed) as of now: `state` a string that moves on with every committed
    change and every scheduled time that passes; `changed` when that last happened, in
    seconds since 1970 (for Last-Modified). One small query, no write."""
    sql, params, positions = _state_sql(connection.vendor)
    params = list(params)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for position in positions:
        params[position] = now
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        version, changed_at, live_at = cursor.fetchone()
    if live_at is None:
        return f"{version}", changed_at or 0
    if isinstance(live_at, str):  # SQLite's raw value: UTC without a zone
        live_at = datetime.datetime.fromisoformat(live_at).replace(tzinfo=datetime.UTC)
    return f"{version}.{live_at.timestamp()}", max(changed_at or 0, int(live_at.timestamp()))


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
