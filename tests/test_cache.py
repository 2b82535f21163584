"""Public pages come from the cache until something changes, and never after."""

import datetime
import os
import signal
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Section
from devtools.services import http_get, prepare_site, site_env, start_gunicorn, start_redis, stop
from tests.helpers import change_url, form_data, run_python

CHANGELIST = reverse("admin:articles_article_changelist")


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, len(captured)


def test_an_unchanged_page_is_served_from_the_cache(client, seeded):
    first, cold = queries(client, "/")
    second, warm = queries(client, "/")
    assert cold > 1
    # Only the content version is read, and on SQLite not even that while the database's
    # own change counter (PRAGMA data_version) says nothing was committed since.
    assert warm == (0 if connection.vendor == "sqlite" else 1)
    assert second.content == first.content


def test_conditional_get_answers_304(client, seeded, time_machine):
    # A second later: nothing made in the second of a change carries its date.
    time_machine.move_to(timezone.now() + datetime.timedelta(seconds=1))
    first = client.get("/tags/")
    assert first["ETag"] and first["Last-Modified"]
    assert client.get("/tags/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    since = client.get("/tags/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    assert client.get("/tags/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_languages_are_cached_apart(client, seeded):
    assert "Latest articles" in client.get("/").content.decode()
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="zh-HK")["Location"] == "/zh-hant/"
    assert "最新文章" in client.get("/zh-hant/").content.decode()
    assert "Latest articles" in client.get("/").content.decode()


def test_editor_publishing_shows_at_once(client, admin_client, make_article):
    draft = make_article(title="Fresh scoop", status=Article.Status.DRAFT)
    assert "Fresh scoop" not in client.get("/").content.decode()
    admin_client.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]})
    assert "Fresh scoop" in client.get("/").content.decode()
    admin_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [draft.pk]})
    assert "Fresh scoop" not in client.get("/").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_editing_a_section_shows_at_once(client, admin_client, make_article):
    article = make_article(sections=[("Intro", "Old wording.")])
    assert "Old wording." in client.get(article.get_absolute_url()).content.decode()
    data = form_data(admin_client.get(change_url(article)), publish=True)
    data["sections-0-body"] = "New wording."
    assert admin_client.post(change_url(article), data).status_code == 302
    page = client.get(article.get_absolute_url()).content.decode()
    assert "New wording." in page and "Old wording." not in page


def test_changing_tags_shows_at_once(client, make_article):
    article = make_article(tags=["Finance"])
    assert "Finance" in client.get("/tags/").content.decode()
    article.tags.set(["Healthcare"])
    page = client.get("/tags/").content.decode()
    assert "Healthcare" in page and "Finance" not in page
    assert client.get("/tags/finance/").status_code == 404


def test_deleting_shows_at_once(client, make_article):
    article = make_article(title="Soon gone")
    assert "Soon gone" in client.get("/").content.decode()
    article.delete()
    assert "Soon gone" not in client.get("/").content.decode()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_deleting_a_section_shows_at_once(client, make_article):
    article = make_article(sections=[("Keep", "kept"), ("Drop", "dropped text")])
    assert "dropped text" in client.get(article.get_absolute_url()).content.decode()
    Section.objects.get(heading="Drop").delete()
    assert "dropped text" not in client.get(article.get_absolute_url()).content.decode()


def test_previews_and_staff_are_never_cached(admin_client, client, make_article):
    draft = make_article(title="Secret draft", status=Article.Status.DRAFT)
    assert "Secret draft" in admin_client.get(draft.get_absolute_url()).content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404
    live = make_article(title="Live one")
    client.get(live.get_absolute_url())
    _, count = queries(admin_client, live.get_absolute_url())
    assert count > 1  # staff requests go to the view


# Several processes: gunicorn workers sharing local caches, and servers sharing Redis.

CHANGE_TITLE = (
    "import django, sys; django.setup(); from articles.models import Article; "
    "a = Article.objects.get(slug='rise-of-ai-in-hong-kong'); a.title = sys.argv[1]; a.save()"
)


def change_title(env, title):
    site_only = ("DJANGO_", "DATABASE", "REDIS")  # as site_env() drops them: `env` is whole
    run_python("-c", CHANGE_TITLE, title, env=env, drop=site_only).check_returncode()


def titles_seen(ports, times=8):
    pages = [http_get(port, "/")[2].decode() for port in ports for _ in range(times)]
    return pages


@pytest.fixture(scope="module")
def site_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("cache-site")
    prepare_site(site_env(root))
    return root


own_sqlite_site = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="the multi-process cache tests build their own SQLite site (SQLite leg)",
)


@own_sqlite_site
def test_all_workers_see_an_edit_at_once_with_local_caches(site_root):
    env = site_env(site_root)
    server, port = start_gunicorn(env, site_root / "local.log", workers=2)
    try:
        change_title(env, "Before the edit")
        assert all("Before the edit" in page for page in titles_seen([port]))
        change_title(env, "After the edit")
        assert all("After the edit" in page for page in titles_seen([port]))
    finally:
        stop(server)


@own_sqlite_site
def test_servers_sharing_redis_see_an_edit_at_once(site_root, tmp_path):
    redis, url = start_redis(tmp_path)
    env = site_env(site_root, REDIS_URL=url)
    a, port_a = start_gunicorn(env, site_root / "a.log", workers=1)
    b, port_b = start_gunicorn(env, site_root / "b.log", workers=1)
    try:
        change_title(env, "Shared before")
        assert all("Shared before" in page for page in titles_seen([port_a, port_b]))
        import redis as redis_client

        keys = redis_client.Redis.from_url(url).keys("*hkai:page:*")
        assert keys, "pages are cached in Redis"
        change_title(env, "Shared after")  # an edit made on a third process
        assert all("Shared after" in page for page in titles_seen([port_a, port_b]))
    finally:
        stop(a)
        stop(b)
        redis.kill()


# PostgreSQL: each hit reads the version row on the worker's own session (cache._Session).

postgresql_leg = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="the version read on its own session: the PostgreSQL leg",
)


@pytest.fixture
def session():
    from articles import cache

    return cache._SESSION


@postgresql_leg
@pytest.mark.django_db(transaction=True)
def test_a_cached_page_on_postgresql_reads_only_the_version_row_and_sees_any_commit(
    client, make_article, session
):
    import psycopg

    article = make_article(title="Read before")
    client.get("/")
    reads = session.reads
    response, count = queries(client, "/")
    # Nothing on Django's connection: one read of the version row on the worker's own.
    assert count == 0 and "Read before" in response.content.decode()
    assert session.reads == reads + 1
    # Another session commits a change (this process never sees the statement): the
    # very next page shows it, with no wait for any notification.
    params = connection.get_connection_params()
    conninfo = {k: params[k] for k in ("dbname", "user", "password", "host", "port") if k in params}
    with psycopg.connect(**conninfo, autocommit=True) as other:
        other.execute(
            "UPDATE articles_article SET title = 'Read after' WHERE id = %s", [article.pk]
        )
    assert "Read after" in client.get("/").content.decode()
    # This process's own write, likewise.
    Article.objects.filter(pk=article.pk).update(title="Written here")
    assert "Written here" in client.get("/").content.decode()


@postgresql_leg
@pytest.mark.django_db(transaction=True)
def test_a_lost_session_falls_back_to_reading_the_state(client, make_article, session):
    article = make_article(title="Before the loss")
    client.get("/")
    client.get("/")
    with connection.cursor() as cursor:  # the server ends the worker's own session
        cursor.execute("SELECT pg_terminate_backend(%s)", [session.raw.info.backend_pid])
    Article.objects.filter(pk=article.pk).update(title="After the loss")
    assert "After the loss" in client.get("/").content.decode()
    assert client.get("/").status_code == 200


@postgresql_leg
@pytest.mark.skipif(os.geteuid() != 0, reason="stopping PostgreSQL's process needs root")
@pytest.mark.django_db(transaction=True)
def test_a_hung_database_is_an_outage_never_the_old_page(
    client, make_article, session, time_machine
):
    """A session that stops answering (its server process stopped: connections open,
    nothing answers) cannot confirm the version: cached pages answer 503 with
    Retry-After, at the cost of one timeout a second, and the page again once it answers."""
    make_article(title="Before the hang")
    client.get("/")
    assert "Before the hang" in client.get("/").content.decode()
    backend = session.raw.info.backend_pid
    client.raise_request_exception = False
    os.kill(backend, signal.SIGSTOP)
    try:
        started = time.perf_counter()
        statuses = {client.get("/").status_code for _ in range(20)}
        elapsed = time.perf_counter() - started
    finally:
        os.kill(backend, signal.SIGCONT)
    assert statuses == {503}
    # One timeout, then 503 at once until the next try: a timeout per request would
    # take 20 s; the bound leaves room for a busy machine.
    assert elapsed < 5
    time_machine.move_to(timezone.now() + datetime.timedelta(seconds=2))  # the next try
    response = client.get("/")
    assert response.status_code == 200 and "Before the hang" in response.content.decode()


@postgresql_leg
def test_servers_on_postgresql_see_an_edit_at_once(tmp_path):
    """Two servers of two workers each on one PostgreSQL database, local caches: an
    edit made by a third process shows on every worker's very next page."""
    import psycopg

    base = connection.get_connection_params()
    conninfo = {k: base[k] for k in ("user", "password", "host", "port") if k in base}
    name = f"hkai_listen_{tmp_path.name[-8:].replace('-', '_')}".lower()
    with psycopg.connect(**conninfo, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    user = conninfo.get("user", "")
    password = f":{conninfo['password']}" if conninfo.get("password") else ""
    url = f"postgres://{user}{password}@{conninfo['host']}:{conninfo['port']}/{name}"
    env = site_env(tmp_path, DATABASE_URL=url)
    prepare_site(env)
    servers = [start_gunicorn(env, tmp_path / f"{n}.log", workers=2) for n in "ab"]
    ports = [port for _, port in servers]
    try:
        for title in ["Before the edit", "After the edit", "And again"]:
            change_title(env, title)
            assert all(title in page for page in titles_seen(ports))
    finally:
        for server, _ in servers:
            stop(server)
        with psycopg.connect(**conninfo, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
