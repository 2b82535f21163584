"""Caching that is never stale.

Cached pages and cached query results are keyed on the content's state, read in one
small query per request (`current_version()`):

* the content version, a row that database triggers move in the same transaction as
  every write to what readers see, whichever way it is made (articles/triggers.py) —
  so every worker and server sees a change the moment it commits, whatever the cache
  backend (local memory or Redis);
* the latest publication time and the latest expiry time that have passed, under the
  published rule itself: when a scheduled article's time comes, or an article's expiry,
  the state moves on by itself, with no write (a GET never writes; no cron job).

Nothing needs deleting: entries for older states are never read again and age out.
`PageCacheMiddleware` serves whole public pages from the cache with ETag and
Last-Modified, answering conditional requests with 304. The key is the page: scheme,
host, path, the query parameters it reads, language, release and content version
(docs/architecture.md, "Page cache key").
"""

import collections
import contextlib
import contextvars
import datetime
import functools
import hashlib
import os
import pathlib
import re
import select
import threading
import time

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.db import DatabaseError, OperationalError, connection
from django.http import QueryDict
from django.http.request import split_domain_port
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from .addresses import in_interface, path_language, request_language
from .models import Article, ContentVersion, live_state_q, time_q

PAGE_TIMEOUT = 24 * 60 * 60
DATA_TIMEOUT = 24 * 60 * 60
# Every distinct search is a page of its own: readers (or a loop of junk queries) make
# as many as they like, so search pages and their results live five minutes, not a day.
SEARCH_TIMEOUT = 5 * 60
# Per request (set by PageCacheMiddleware for every request): the content state,
# read at most once however many cached() values the request uses.
REQUEST_STATE = contextvars.ContextVar("content_state", default=None)
# The state query is compiled once per process with this stand-in for "now", which
# each request replaces with the current time (compiling it costs more than running it).
_NOW = datetime.datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)


@functools.cache
def _state_sql(vendor):
    """(sql, params, positions of "now" in params): the version row, the latest
    publication time readers can see and the next one they will, the latest expiry that
    has passed and the next one to come, in one statement built from the published
    rule: each time is the first row of a range on an index."""
    row = ContentVersion.objects.filter(pk=1)
    live = Article.objects.published(now=_NOW)
    later, _undated, expired = time_q(now=_NOW)[1]
    scheduled = Article.objects.filter(live_state_q() & later)
    expired = Article.objects.filter(live_state_q() & expired)
    parts = [
        row.values("version").query.sql_with_params(),
        row.values("changed").query.sql_with_params(),
        live.order_by("-published_at").values("published_at")[:1].query.sql_with_params(),
        scheduled.order_by("published_at").values("published_at")[:1].query.sql_with_params(),
        expired.order_by("-expires_at").values("expires_at")[:1].query.sql_with_params(),
        # The range stated: the rule's OR with IS NULL hides it from PostgreSQL, which
        # walked the expired articles' entries first (20,000 articles, 1,000 expired:
        # 0.63 ms against 0.39 so; SQLite 0.19 against 0.12; through the ORM).
        live.filter(expires_at__gt=_NOW)
        .order_by("expires_at")
        .values("expires_at")[:1]
        .query.sql_with_params(),
    ]
    sql = "SELECT " + ", ".join(f"({part})" for part, _ in parts)
    params = [param for _, part_params in parts for param in part_params]
    stand_in = connection.ops.adapt_datetimefield_value(_NOW)
    return sql, params, [i for i, param in enumerate(params) if param == stand_in]


def _datetime(value):
    """A time from the state query: SQLite gives UTC without a zone (text, or a naive
    datetime when its converter recognises the column)."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


# The last state this thread read, and what it was read under (see unchanged_since()).
_LAST = threading.local()


def _sqlite_mark(raw):
    """What moves whenever the database may have changed, as SQLite itself keeps it:
    `data_version` moves when another connection commits (any process), and
    `total_changes` when this one writes. 2 us, where the state query takes 25 us and
    was a fifth of a cached page's cost."""
    return raw.execute("PRAGMA data_version").fetchone()[0], raw.total_changes


class Unanswered(OperationalError):
    """The database did not answer the version read in time (hung, or unreachable
    without a refusal): the page is answered as in an outage (503), never as it was."""


class _Session:
    """This worker's own PostgreSQL session, reading the version row with a prepared
    statement on every cached hit: a page older than the last committed change is never
    served, whoever committed it (the triggers move the row in the writer's own
    transaction), on whichever server. It costs a round trip: 12 us of the worker's CPU
    and 12 us of the server's in a loop, where the state query through Django's
    connection took 200 and 270 us; several times that on two busy cores
    (docs/architecture.md, "Freshness on PostgreSQL", has the figures and the choice).

    A database that refuses or drops the session gives None (the state is then read
    through Django's connection, as on any miss); one that does not answer within
    TIMEOUT_S raises `Unanswered`, and so does every read in the RETRY_S after it, so a
    hung database costs each worker one timeout a second, not one per request."""

    NAME = b"hkai_version"
    SQL = (f"SELECT version, changed FROM {ContentVersion._meta.db_table} WHERE id = 1").encode()
    TIMEOUT_S = 1.0
    RETRY_S = 1.0

    def __init__(self):
        self.raw, self.pid, self.failed_at, self.unanswered_at = None, None, 0.0, 0.0
        self.reads = 0  # round trips made (tests count them)
        self.lock = threading.Lock()  # one session for the process's threads

    def read(self):
        """(version, changed) as committed now, or None while there is no session."""
        with self.lock:
            if time.time() - self.unanswered_at < self.RETRY_S:
                raise Unanswered("the database did not answer the version read")
            if self.raw is None or self.pid != os.getpid():
                if not self.start():
                    return None
            try:
                return self.ask(self.raw.pgconn)
            except psycopg.Error:  # the server went away: a new session next time
                self.close()
                return None

    def ask(self, pgconn):
        pgconn.send_query_prepared(self.NAME, None)
        deadline = time.monotonic() + self.TIMEOUT_S
        while pgconn.is_busy():  # what libpq's blocking call does, with a timeout
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([pgconn.socket], [], [], left)[0]:
                self.close()
                self.unanswered_at = time.time()
                raise Unanswered("the database did not answer the version read")
            pgconn.consume_input()
        result, row = pgconn.get_result(), None
        while pgconn.get_result() is not None:
            pass
        self.reads += 1
        if result.status != psycopg.pq.ExecStatus.TUPLES_OK:
            return None  # no table yet
        if result.ntuples:
            row = tuple(int(result.get_value(0, column) or 0) for column in (0, 1))
        return row

    def start(self):
        if time.time() - self.failed_at < self.RETRY_S:
            return False
        self.close()
        params = {**connection.get_connection_params(), "connect_timeout": 2}
        try:
            raw = connection.get_new_connection(params)
            raw.autocommit = True
            prepared = raw.pgconn.prepare(self.NAME, self.SQL)
            if prepared.status != psycopg.pq.ExecStatus.COMMAND_OK:
                raise psycopg.OperationalError(prepared.error_message.decode())
        except (psycopg.Error, DatabaseError):
            self.failed_at = time.time()
            return False
        self.raw, self.pid = raw, os.getpid()
        return True

    def close(self):
        raw, self.raw = self.raw, None
        if raw is not None and self.pid == os.getpid():
            with contextlib.suppress(psycopg.Error):
                raw.close()


_SESSION = _Session()


def current_version():
    """(state, changed) as of now: `state` a string that moves on with every committed
    change and every scheduled time that passes; `changed` when that last happened, in
    seconds since 1970 (for Last-Modified). One small query, no write; while nothing was
    written and no scheduled time came since this thread last read it, none on SQLite and
    on PostgreSQL only the version row, on the worker's own session (`_Session`)."""
    now = timezone.now()
    mark = None
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        mark = (raw, *_sqlite_mark(raw))
    elif connection.vendor == "postgresql" and not connection.in_atomic_block:
        row = _SESSION.read()  # in a transaction, its own writes are uncommitted: read
        mark = None if row is None else ("row", *row)
    if mark is not None:
        last = getattr(_LAST, "value", None)
        if last is not None and last[0] == mark and last[1] <= now < last[2]:
            return last[3]
    sql, params, positions = _state_sql(connection.vendor)
    params = list(params)
    for position in positions:
        params[position] = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        version, changed_at, live_at, next_at, expired_at, next_expiry = cursor.fetchone()
    # The state moves on when a scheduled time passes (the latest shown publication
    # moves) and when an expiry does (the latest passed expiry moves), with no write.
    state, changed = f"{version}", changed_at or 0
    for sign, at in ((".", live_at), ("~", expired_at)):
        if at is not None:
            seconds = _datetime(at).timestamp()
            state, changed = f"{state}{sign}{seconds}", max(changed, int(seconds))
    state = state, changed
    if mark is not None:
        coming = [_datetime(at) for at in (next_at, next_expiry) if at is not None]
        until = min(coming, default=datetime.datetime.max.replace(tzinfo=datetime.UTC))
        _LAST.value = (mark, now, until, state)
    return state


def cached(name, compute, timeout=DATA_TIMEOUT):
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
        cache.set(key, value, timeout)
    return value


# The page cache key. Whatever a page shows must be in it, and nothing else a request
# carries: the scheme and host (with its port) that links are built from, the path,
# the query parameters the page reads, the language, the release and the content version.


def page_number(value):
    """?page= as the paginators read it (int()): 02, " 2" and 2 are one page."""
    try:
        return str(int(value))
    except ValueError:  # "last", or a 404
        return value


def search_words(value):
    """?q= as SearchView reads it: its words, single-spaced."""
    return " ".join(value.split())


MAX_TOPICS, TOPIC_LENGTH = 5, 100  # search filters; taggit's slug length


CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # PostgreSQL text cannot hold NUL


def topic_slugs(values):
    """?topic= (a search filter, given any number of times) as search reads it: without
    control characters, stripped, unrepeated, sorted, at most MAX_TOPICS."""
    slugs = {CONTROL.sub("", value).strip()[:TOPIC_LENGTH] for value in values}
    return sorted(slug for slug in slugs if slug)[:MAX_TOPICS]


# A search filter's value that is not one (the page says so): one word for all of them,
# so that junk values make no new cache entries.
INVALID = "invalid"


def date_text(value):
    """?from= and ?to= (search filters) as search reads them: YYYY-MM-DD when a date
    (2026-3-5 too), else INVALID."""
    value = value.strip()
    if not value:
        return ""
    try:
        year, month, day = (int(part) for part in value.split("-"))
        return datetime.date(year, month, day).isoformat()
    except (ValueError, OverflowError):
        return INVALID


def sort_text(value):
    """?sort= (search): "date", or the default (relevance), left out."""
    return "date" if value.strip() == "date" else ""


def language_code(value):
    """?lang= (search): a language of Article.Language, else INVALID."""
    value = value.strip()
    return value if not value or value in Article.Language.values else INVALID


# Search filters: read as a list of values (see topic_slugs), the others one value each.
SEARCH_FILTERS = {"from": date_text, "to": date_text, "lang": language_code, "sort": sort_text}
MULTIPLE = {"topic": topic_slugs}


# The query parameters each cached page reads (by URL name), each in the form its view
# reads it. Every other parameter is dropped from the request before the view runs.
QUERY_PARAMETERS = {
    "articles:list": {"page": page_number},
    "articles:tag": {"page": page_number},
    "articles:author": {"page": page_number},
    "articles:archive_month": {"page": page_number},
    "articles:search": {"q": search_words, "page": page_number, **SEARCH_FILTERS, **MULTIPLE},
    "articles:language": {"next": str},
    "sitemap_section": {"p": page_number},  # Django's sitemap pages
}


def keep_read_parameters(request):
    """Leave in the request only the query parameters its page reads."""
    # The bytes the client sent (WSGI hands them over as Latin-1 text).
    query = normal_query(request.path_info, get_bytes_from_wsgi(request.META, "QUERY_STRING", ""))
    request.META["QUERY_STRING"] = query
    request.GET = QueryDict(query)


@functools.lru_cache(maxsize=1024)
def normal_query(path, query):
    """The query string `query` (bytes) as the page at `path` reads it: its parameters only,
    sorted, one value each (the last, which request.GET.get() returns) but for MULTIPLE
    ones, in normal form.
    Remembered: resolving the path and rebuilding the query took 45 us a request."""
    try:
        # Resolved in the path's interface: /zh-hant/search/ is the search page there.
        with translation.override(path_language(path)):
            readers = QUERY_PARAMETERS.get(resolve(path).view_name)
    except Resolver404:
        readers = None
    if not readers:
        return ""
    given, kept = QueryDict(query), QueryDict(mutable=True)
    for name in sorted(readers):
        if name in MULTIPLE:
            values = MULTIPLE[name](given.getlist(name))
            if values:
                kept.setlist(name, values)
            continue
        value = readers[name](given.get(name) or "")
        if value:
            kept[name] = value
    return kept.urlencode()


Release = collections.namedtuple("Release", "id at")
CODE = ("articles", "hkai_site", "templates", "static", "locale")


@functools.cache
def release():
    """This deployment: `id` is RELEASE from the environment, else a hash of the static
    manifest (collectstatic names each asset by its content), else of the code; `at`
    (seconds since 1970) is when those files were last written. Once per process."""
    manifest = pathlib.Path(settings.STATIC_ROOT) / "staticfiles.json"
    base = manifest.parent if manifest.is_file() else pathlib.Path(settings.BASE_DIR)
    if manifest.is_file():
        files = [manifest]
    else:
        found = (path for folder in CODE for path in (base / folder).rglob("*"))
        files = sorted(p for p in found if p.is_file() and "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for path in files:  # named as in the checkout: servers in other folders agree
        digest.update(f"{path.relative_to(base)}\0{path.stat().st_size}\0".encode())
        digest.update(path.read_bytes())
    at = max((path.stat().st_mtime for path in files), default=0)
    return Release(settings.RELEASE or digest.hexdigest()[:16], int(at))


def request_version():
    """(version, changed) for this request, read once however many parts ask."""
    state = REQUEST_STATE.get()
    if state is None:
        return current_version()[:2]
    if "changed" not in state:
        state["version"], state["changed"] = current_version()[:2]
    return state["version"], state["changed"]


def last_modified(changed_at):
    """A response's Last-Modified (seconds): the later of the last change to public
    content and of this release. None within that second: an HTTP date counts whole
    seconds, so a further change in it would carry the same date and get a 304."""
    at = max(changed_at, release().at)
    return at if at < int(time.time()) else None


def set_last_modified(response):
    at = last_modified(request_version()[1])
    if at is not None:
        response["Last-Modified"] = http_date(at)


CONDITIONS = frozenset(
    ["HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE"]
)


class PageCacheMiddleware:
    """Serve anonymous GET/HEAD requests for public pages from the cache.

    A page is cached when the view returned 200, set no cookie and did not forbid
    caching (previews send no-cache). Requests carrying a session cookie (staff) and
    the admin bypass the cache. Query parameters the page does not read are dropped
    first; the key is the page (see above). Pages for a host that only a wildcard of
    ALLOWED_HOSTS admits, or on a port this server does not listen on, are rendered
    but never stored: no request can add entries without bound.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_PATH
        self.api_prefix = settings.API_PREFIX  # the API revalidates with its own ETags
        self.uncached = ("/livez", "/healthz")  # probes and the benchmark baseline
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")  # WhiteNoise's
        # Files, never stored here (streamed): not looked up either. Media on another
        # host (an object store's address) never reaches this site.
        self.media_prefix = (
            settings.MEDIA_URL if settings.MEDIA_URL.startswith("/") else self.static_prefix
        )
        allowed = settings.ALLOWED_HOSTS
        if settings.DEBUG and not allowed:  # as Django's host check
            allowed = [".localhost", "127.0.0.1", "[::1]"]
        self.host_names = {name.lower().lstrip(".") for name in allowed if name != "*"}
        # Shareable previews: secret, unpublished, never looked up nor stored here, in
        # any interface's address.
        self.preview_prefixes = tuple(
            in_interface(reverse("articles:preview", args=["token"]), code).rsplit("token", 1)[0]
            for code, _ in settings.LANGUAGES
        )
        release()  # before the first request

    def __call__(self, request):
        state = {}
        token = REQUEST_STATE.set(state)
        try:
            found = self.lookup(request)
            if found is None:
                return self.get_response(request)
            key, state["version"], state["changed"] = found
            return self.serve(request, key, state["changed"])
        finally:
            REQUEST_STATE.reset(token)

    def lookup(self, request):
        """(key, version, changed) when the cache may answer `request`, else None; drops
        the query parameters its page does not read. An unknown Host raises
        DisallowedHost (a 400) before any lookup."""
        host = request.get_host()
        if not self.cacheable_request(request):
            return None
        if request.META.get("QUERY_STRING"):
            keep_read_parameters(request)
        try:
            version, changed = current_version()[:2]
        except Unanswered:
            raise  # a hung database: an outage (503), not a wait in the view
        except DatabaseError:  # no database (yet): the view decides what to answer
            return None
        key = self.key(request, host, version)
        return None if key is None else (key, version, changed)

    def hit(self, request):
        """The cached page for `request` (or its 304), or None: no view runs, no write."""
        found = self.lookup(request)
        if found is None:
            return None
        response = cache.get(found[0])
        return None if response is None else self.conditional(request, response)

    def key(self, request, host, version):
        """None for a host or port that would add entries without bound."""
        name, port = split_domain_port(host)
        scheme = request.scheme
        ports = ("", "443" if scheme == "https" else "80", request.META.get("SERVER_PORT"))
        if name not in self.host_names or port not in ports:
            return None
        # The host check folds case and drops a trailing dot; the page shows the host
        # as sent, so only the name as listed is stored (LocalHost. is rendered only).
        if host != (f"{name}:{port}" if port else name):
            return None
        # The interface is the path's (its prefix); on `/` the reader's, which it
        # redirects to: a reader asking for Chinese never gets the English page stored.
        language = request_language(request)
        page = f"{scheme}://{host}{request.get_full_path()}"
        digest = hashlib.sha256(page.encode()).hexdigest()
        return f"hkai:page:{release().id}:{version}:{language}:{digest}"

    def serve(self, request, key, changed_at):
        response = cache.get(key)
        if response is None:
            response = self.get_response(request)
            if not self.cacheable_response(response):
                return response
            self.add_validators(response, changed_at)
            match = getattr(request, "resolver_match", None)
            searched = match is not None and match.view_name == "articles:search"
            cache.set(key, response, SEARCH_TIMEOUT if searched else PAGE_TIMEOUT)
        return self.conditional(request, response)

    @staticmethod
    def conditional(request, response):
        if not CONDITIONS.intersection(request.META):
            return response  # nothing to compare (a fifth of a hit's cost)
        etag, last_modified = response.get("ETag"), response.get("Last-Modified")
        return get_conditional_response(
            request, etag=etag, last_modified=_parse_date(last_modified), response=response
        )

    def cacheable_request(self, request):
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path_info.startswith(
                (self.admin_prefix, self.api_prefix, self.static_prefix, self.media_prefix)
            )
            and not request.path_info.startswith(self.preview_prefixes)
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
        """ETag: the body's hash (a view's own stands); Last-Modified: see
        last_modified(), always: Django's feeds and sitemaps date themselves by their
        newest item, which stays or moves back when that item is unpublished."""
        response.setdefault("ETag", f'"{hashlib.sha256(response.content).hexdigest()[:32]}"')
        at = last_modified(changed_at)
        if at is None:
            del response["Last-Modified"]
        else:
            response["Last-Modified"] = http_date(at)
        response.setdefault("Cache-Control", "public, max-age=0, must-revalidate")
        patch_vary_headers(response, ("Accept-Language", "Cookie"))


def _parse_date(value):
    return parse_http_date_safe(value) if value else None
