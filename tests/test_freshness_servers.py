"""Two servers on one PostgreSQL database never serve a page older than the last
committed edit: a page asked for the instant a commit returns shows it, whichever
worker of whichever server answers, and whoever wrote (here plain SQL from another
session, which no code of the site sees)."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from devtools.services import http_get, prepare_site, site_env, start_gunicorn, stop

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="freshness across servers on PostgreSQL: the PostgreSQL leg",
)

SLUG = "rise-of-ai-in-hong-kong"
PAGE = f"/articles/{SLUG}/"
# With the LISTEN that came before, 6-14 in every 100 pages were stale (12, 18 and 28 of
# 200 in three runs): 120 edits find them, in half the time of 200.
EDITS = 120


def conninfo():
    base = connection.get_connection_params()
    return {k: base[k] for k in ("user", "password", "host", "port") if k in base}


@pytest.fixture
def two_servers(tmp_path):
    """Two gunicorn servers of two workers each, local memory caches, on a database of
    their own: (ports, a psycopg connection to that database in autocommit)."""
    import psycopg

    info = conninfo()
    name = f"hkai_fresh_{tmp_path.name[-8:].replace('-', '_')}".lower()
    with psycopg.connect(**info, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{info['password']}" if info.get("password") else ""
    url = f"postgres://{info.get('user', '')}{password}@{info['host']}:{info['port']}/{name}"
    env = site_env(tmp_path, DATABASE_URL=url)
    prepare_site(env)
    servers = [start_gunicorn(env, tmp_path / f"{n}.log", workers=2) for n in "ab"]
    writer = psycopg.connect(**info, dbname=name, autocommit=True)
    try:
        yield [port for _, port in servers], writer
    finally:
        writer.close()
        for server, _ in servers:
            stop(server)
        with psycopg.connect(**info, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def readers(ports, stop_reading):
    """Readers keeping every worker busy with the cached page until told to stop: each
    worker holds the page of the version it last saw, and the machine is loaded."""

    def read(port):
        while not stop_reading.is_set():
            http_get(port, PAGE)

    threads = [threading.Thread(target=read, args=(port,)) for port in ports for _ in range(3)]
    for thread in threads:
        thread.start()
    return threads


def test_a_page_read_the_instant_an_edit_commits_shows_it_on_either_server(two_servers):
    ports, writer = two_servers
    stop_reading = threading.Event()
    background = readers(ports, stop_reading)
    stale = []
    try:
        for edit in range(EDITS):
            title = f"Edition {edit} of the rise"
            writer.execute("UPDATE articles_article SET title = %s WHERE slug = %s", [title, SLUG])
            # The commit has returned: the next page, from either server, shows it.
            port = ports[edit % 2]
            status, _, body = http_get(port, PAGE)
            assert status == 200
            if title not in body.decode():
                stale.append(edit)
    finally:
        stop_reading.set()
        for thread in background:
            thread.join()
    assert stale == [], f"{len(stale)} of {EDITS} pages were older than the last edit"
