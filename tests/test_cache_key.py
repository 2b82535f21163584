"""A cached page is keyed on everything it shows: no request can change what other
readers get, fill the cache with junk, outlive a deploy, or be answered 304 after a
change."""

import datetime
import json
import os
import re
import shutil

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.http import http_date
from taggit.models import Tag

from articles import cache as page_cache
from articles.models import Article
from devtools.services import http_get, prepare_site, site_env, start_gunicorn, start_redis, stop
from tests.helpers import clock_standing_at, unchanged_state

ARTICLES = reverse("api:articles")
# Later than any file of the checkout was written, so the release is older than the content.
START = datetime.datetime.now(datetime.UTC).replace(microsecond=0) + datetime.timedelta(hours=1)


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, len(captured)


def entries():
    """How many entries the local-memory cache holds (its own dictionary)."""
    return len(cache._cache)


@pytest.fixture
def clock():
    """The clock stands still until a test moves it: HTTP dates count whole seconds."""
    with clock_standing_at(START) as traveller:
        yield traveller


@pytest.fixture
def new_release(settings):
    """Start a new release (as a deploy does, in a new process) named `name`."""

    def deploy(name):
        settings.RELEASE = name
        page_cache.release.cache_clear()

    yield deploy
    page_cache.release.cache_clear()


# Poisoning: a page is stored for the scheme and host (with its port) it was asked for.


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/articles/poison/",
        "/articles/poison.md",
        "/tags/finance/",
        "/feed/",
        "/feed/atom/",
        "/tags/finance/feed/",
        "/robots.txt",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/llms.txt",
    ],
)
def test_a_host_with_another_port_cannot_poison_a_page(client, make_article, url):
    make_article(slug="poison", tags=["Finance"])
    for _ in range(4):  # Django ignores the port when it checks ALLOWED_HOSTS
        assert client.get(url, HTTP_HOST="localhost:6666").status_code == 200
    body = client.get(url, HTTP_HOST="localhost").content.decode()
    assert "localhost:6666" not in body
    assert "http://localhost/" in body


def test_each_host_and_scheme_gets_its_own_page(client, make_article):
    make_article()
    for host in ["localhost", "127.0.0.1", "localhost:80"]:
        assert f"http://{host}/" in client.get("/feed/", HTTP_HOST=host).content.decode()
    secure = client.get("/feed/", HTTP_HOST="localhost", secure=True).content.decode()
    assert "https://localhost/" in secure
    response, count = queries(client, "/feed/", HTTP_HOST="localhost")
    assert count == unchanged_state() and "http://localhost/" in response.content.decode()
    canonical = '<link rel="canonical" href="http://127.0.0.1/">'
    assert canonical in client.get("/", HTTP_HOST="127.0.0.1").content.decode()


# Flooding: parameters a page does not read are dropped before the view runs.


def test_junk_query_strings_neither_fill_nor_evict_the_cache(client, make_article):
    article = make_article(slug="kept", tags=["Finance"])
    for _ in range(11):  # two pages of the list and of the tag
        make_article(tags=["Finance"])
    pages = [
        "/",
        "/?page=2",
        "/tags/",
        "/tags/finance/",
        "/tags/finance/?page=2",
        article.get_absolute_url(),
        "/articles/kept.md",
        "/search/",
        "/search/?q=article",
        "/search/?q=article&page=2",
        "/feed/",
        "/tags/finance/feed/atom/",
        "/robots.txt",
        "/llms.txt",
        "/sitemap.xml",
        "/sitemap-articles.xml",
    ]
    bodies = {url: client.get(url).content for url in pages}
    held = entries()
    junk = [
        "/?utm_source=x{n}",
        "/?x={n}&y={n}",
        "/?page=2&utm_campaign={n}",
        "/tags/?ref={n}",
        "/tags/finance/?fbclid={n}&page=2",
        "/articles/kept/?s={n}",
        "/articles/kept.md?v={n}",
        "/search/?q=article&from=2026-13-{n}",  # one page saying the date was left out
        "/search/?q=article&utm_term={n}",
        "/feed/?{n}",
        "/sitemap.xml?x={n}",
    ]
    for n in range(5000):
        assert client.get(junk[n % len(junk)].format(n=n)).status_code == 200
    held += 1  # /search/?q=article&from=invalid
    for port in range(7000, 7200):  # allowed names, foreign ports: rendered, never stored
        assert client.get("/", HTTP_HOST=f"localhost:{port}").status_code == 200
    assert entries() == held
    for url in pages:
        response, count = queries(client, url)
        assert count == unchanged_state(), url  # served from the cache
        assert response.content == bodies[url]
    junk_page = client.get("/?utm_source=newsletter").content
    assert junk_page == bodies["/"] and b"utm_source" not in junk_page


def test_spellings_of_an_allowed_host_are_rendered_but_never_stored(client, make_article):
    """Django's host check folds case and drops a trailing dot or an empty port, but a
    page shows the host as sent: each of those spellings would be an entry of its own."""
    make_article()
    client.get("/robots.txt", HTTP_HOST="localhost")
    held = entries()
    spellings = ["LOCALHOST", "LocalHost", "localhost.", "LOCALHOST.:80"]
    spellings += [
        "".join(c.upper() if n >> i & 1 else c for i, c in enumerate("localhost"))
        for n in range(1, 200)
    ]
    for host in spellings:
        response = client.get("/robots.txt", HTTP_HOST=host)
        assert response.status_code == 200
        assert f"Sitemap: http://{host}/sitemap.xml" in response.content.decode()
    assert entries() == held
    assert "http://localhost/" in client.get("/robots.txt", HTTP_HOST="localhost").content.decode()


def test_a_parameter_a_page_reads_is_kept_in_one_normal_form(client, make_article):
    for _ in range(11):
        make_article(title="Article about kiwi")
    second = client.get("/?page=2").content
    for url in ["/?page=02", "/?utm=1&page=2", "/?page=1&page=2", "/?page=%202", "/?page=2&page=2"]:
        response, count = queries(client, url)
        assert (count, response.content) == (unchanged_state(), second), url
    hits = client.get("/search/?q=kiwi").content
    for url in ["/search/?q=%20kiwi%20%20", "/search/?ref=x&q=kiwi", "/search/?q=x&q=kiwi"]:
        response, count = queries(client, url)
        assert (count, response.content) == (unchanged_state(), hits), url


def test_the_parameters_views_read_still_reach_them(client, make_article):
    make_article(title="Lychee season", tags=["Fruit"])
    response = client.get("/language/zh-hant/?utm_source=x&next=/tags/")
    assert response.status_code == 302 and response["Location"] == "/zh-hant/tags/"
    assert "Lychee season" in client.get("/search/?q=lychee&utm=1").content.decode()
    make_article(title="香港荔枝")  # the bytes the client sent, not their Latin-1 reading
    page = client.get("/search/?q=香港&utm=1").content.decode()
    assert "香港荔枝" in page and 'value="香港"' in page
    assert client.get("/?page=2&x=1").status_code == 404
    assert client.get("/sitemap-articles.xml?p=2&x=1").status_code == 404
    assert client.get("/sitemap-articles.xml?p=1&x=1").status_code == 200


def url_names(resolver=None, namespace=""):
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_page_declaring_parameters_exists():
    """A renamed URL would silently lose its parameters."""
    assert set(page_cache.QUERY_PARAMETERS) <= url_names()


# Deploys: the release is part of the key.


def test_a_new_release_renders_pages_anew(client, make_article, new_release):
    make_article()
    new_release("one")
    client.get("/")
    assert queries(client, "/")[1] == unchanged_state()
    new_release("two")
    assert queries(client, "/")[1] > 1
    assert queries(client, "/")[1] == unchanged_state()


def test_a_release_is_named_by_the_environment_else_its_manifest_else_its_code(
    settings, tmp_path, new_release
):
    settings.STATIC_ROOT = tmp_path
    new_release("")
    code = page_cache.release()
    assert re.fullmatch(r"[0-9a-f]{16}", code.id)
    manifest = tmp_path / "staticfiles.json"
    manifest.write_text(json.dumps({"paths": {"css/site.css": "css/site.1.css"}}))
    os.utime(manifest, (START.timestamp(), START.timestamp()))
    new_release("")
    first = page_cache.release()
    assert first.id != code.id and first.at == START.timestamp()
    manifest.write_text(json.dumps({"paths": {"css/site.css": "css/site.2.css"}}))
    new_release("")
    assert page_cache.release().id not in (code.id, first.id)
    new_release("2026-12-01.3")
    assert page_cache.release().id == "2026-12-01.3"


own_sqlite_site = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="builds its own SQLite site (SQLite leg)",
)


def stylesheet(body):
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', body.decode()).group(1)


@own_sqlite_site
def test_a_deploy_serves_its_own_pages_at_once_with_redis(tmp_path):
    redis, url = start_redis(tmp_path)
    root = tmp_path / "site"
    root.mkdir()
    env = site_env(root, REDIS_URL=url)
    prepare_site(env)
    try:
        server, port = start_gunicorn(env, root / "one.log", workers=1)
        try:
            _, headers, body = http_get(port, "/")
            old = stylesheet(body)
        finally:
            stop(server)
        # The deploy: a new stylesheet under a new hashed name, a new manifest.
        static = root / "static"
        manifest = json.loads((static / "staticfiles.json").read_text())
        new = "css/site.0123456789ab.css"
        shutil.copy(static / manifest["paths"]["css/site.css"], static / new)
        manifest["paths"]["css/site.css"] = new
        (static / "staticfiles.json").write_text(json.dumps(manifest))
        server, port = start_gunicorn(env, root / "two.log", workers=1)
        try:
            since = (
                {"If-Modified-Since": headers["Last-Modified"]}
                if "Last-Modified" in headers
                else {}
            )
            status, _, body = http_get(port, "/", since)
            assert status == 200 and stylesheet(body) == f"/static/{new}" != old
            assert http_get(port, f"/static/{new}")[0] == 200
        finally:
            stop(server)
    finally:
        redis.kill()


# Validators: a 304 only for what did not change.


def test_unpublishing_is_never_answered_304_by_the_api(client, make_article, clock):
    kept = make_article(title="Kept")
    gone = make_article(title="Gone")
    clock.shift(10)
    modified = client.get(ARTICLES)["Last-Modified"]
    clock.shift(10)
    gone.status = Article.Status.DRAFT
    gone.save()
    clock.shift(10)
    response = client.get(ARTICLES, HTTP_IF_MODIFIED_SINCE=modified)
    assert response.status_code == 200
    assert [item["slug"] for item in response.json()["items"]] == [kept.slug]


def test_a_tag_rename_is_never_answered_304(client, make_article, clock):
    article = make_article(slug="renamed", tags=["Finance"])
    urls = [
        "/articles/renamed.md",
        reverse("api:article", args=[article.slug]),
        article.get_absolute_url(),
    ]
    clock.shift(10)
    before = {url: client.get(url) for url in urls}
    clock.shift(10)
    tag = Tag.objects.get(name="Finance")
    tag.name = "Money matters"
    tag.save()
    clock.shift(10)
    for url, response in before.items():
        assert "Finance" in response.content.decode()
        for header in ["Last-Modified", "ETag"]:
            name = "HTTP_IF_MODIFIED_SINCE" if header == "Last-Modified" else "HTTP_IF_NONE_MATCH"
            again = client.get(url, **{name: response[header]})
            assert again.status_code == 200, (url, header)
            assert "Money matters" in again.content.decode()


FEEDS_AND_SITEMAPS = [
    "/feed/",
    "/feed/atom/",
    "/tags/finance/feed/",
    "/sitemap-articles.xml",
    "/sitemap-tags.xml",
]


def test_feeds_and_sitemaps_are_never_answered_304_after_a_change(client, make_article, clock):
    """Django's feeds and sitemaps date themselves by their newest item: unpublishing
    that item, or renaming a tag, changed the body but moved the date back or not at all."""
    hour = datetime.timedelta(hours=1)
    make_article(title="Older one", tags=["Finance"], published_at=START - 2 * hour)
    newest = make_article(title="Newest one", tags=["Finance"], published_at=START - hour)
    clock.shift(10)
    before = {url: client.get(url) for url in FEEDS_AND_SITEMAPS}
    clock.shift(10)
    newest.status = Article.Status.DRAFT
    newest.save()
    Tag.objects.filter(name="Finance").update(name="Money matters", slug="money-matters")
    clock.shift(10)
    for url, response in before.items():
        moved = url.replace("finance", "money-matters")
        again = client.get(moved, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert again.status_code == 200, url
        assert again.content != response.content, url


def test_last_modified_is_when_public_content_last_changed(client, make_article, clock):
    article = make_article(slug="dated", tags=["Finance"])
    clock.shift(10)
    expected = http_date(START.timestamp())
    for url in ["/", "/articles/dated.md", "/llms.txt", ARTICLES, reverse("api:tags")]:
        response = client.get(url)
        assert response["Last-Modified"] == expected, url
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=expected).status_code == 304, url
    clock.shift(10)
    make_article(title="Another")  # a change elsewhere also moves every list
    clock.shift(10)
    response = client.get(reverse("api:article", args=[article.slug]))
    assert response["Last-Modified"] == http_date(START.timestamp() + 20)


def test_nothing_made_in_the_second_of_a_change_carries_its_date(client, make_article, clock):
    """An HTTP date counts whole seconds: a second change within the same second would
    carry the same date and be answered 304 to a client that had the first."""
    make_article(slug="fresh", tags=["Finance"])
    for url in ["/", "/articles/fresh.md", ARTICLES]:
        response = client.get(url)
        assert response.status_code == 200 and response["ETag"]
        assert "Last-Modified" not in response, url
    clock.shift(1)
    assert client.get(ARTICLES)["Last-Modified"] == http_date(START.timestamp())


def test_a_release_newer_than_the_content_dates_the_pages(
    client, make_article, settings, tmp_path, clock, new_release
):
    make_article()
    settings.STATIC_ROOT = tmp_path
    manifest = tmp_path / "staticfiles.json"
    manifest.write_text("{}")
    deployed = START.timestamp() + 5
    os.utime(manifest, (deployed, deployed))
    clock.shift(10)
    new_release("")
    assert client.get("/")["Last-Modified"] == http_date(deployed)
    assert timezone.now().timestamp() > deployed


def test_search_pages_live_minutes_not_a_day(client, make_article, django_assert_num_queries):
    """Every distinct search makes a page: they must not pile up for a day."""
    make_article(title="Durian season", sections=[("", "durian")])
    client.get("/")
    client.get("/search/", {"q": "durian"})
    with time_machine.travel(datetime.timedelta(minutes=6)):
        with django_assert_num_queries(unchanged_state()):  # the page from the cache
            client.get("/")
        with CaptureQueriesContext(connection) as rendered:
            assert client.get("/search/", {"q": "durian"}).status_code == 200
        assert len(rendered) > 1  # aged out: searched again
        with django_assert_num_queries(unchanged_state()):  # cached again, for minutes
            client.get("/search/", {"q": "durian"})
