"""Backups of the live database, and restoring one into an empty database."""

import contextlib
import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from articles.models import Article
from tests.helpers import run_python

PAGES = ["/", "/tags/", "/tags/hong-kong/", "/articles/rise-of-ai-in-hong-kong/", "/search/?q=香港"]
RENDER = (  # with the plain static storage the tests use (no collected manifest here)
    "import hkai_site.settings as s; s.STORAGES['staticfiles'] = "
    "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}; "
    "import django, hashlib; django.setup(); from django.test import Client; c = Client(); "
    f"print(*[hashlib.sha256(c.get(u).content).hexdigest() for u in {PAGES!r}])"
)


def fingerprints(client):
    return [hashlib.sha256(client.get(url).content).hexdigest() for url in PAGES]


def in_database(database_url, *args, code=None, **extra):
    env = {
        **extra,
        "DATABASE_URL": database_url,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "hkai_site.settings",
    }
    command = ["-c", code] if code else ["manage.py", *args]
    return run_python(*command, env=env, timeout=300)


@pytest.fixture
def empty_database(tmp_path):
    """The address of a brand-new, empty database on the engine the tests run on."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    info = connection.settings_dict
    yield f"postgres://{info['USER']}@{info['HOST']}:{info['PORT']}/{name}"
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_restore_into_an_empty_database_serves_the_same_pages(tmp_path, empty_database):
    call_command("load_seed", verbosity=0)
    Article.objects.filter(slug="rise-of-ai-in-hong-kong").update(title="Edited after seeding")
    expected = fingerprints(Client())
    snapshot = tmp_path / "snapshot.backup"
    call_command("backup", str(snapshot), stdout=open(os.devnull, "w"))
    assert snapshot.stat().st_size > 0

    restored = in_database(empty_database, "restore", str(snapshot))
    assert restored.returncode == 0, restored.stderr
    assert "Restored the database" in restored.stdout
    pages = in_database(empty_database, code=RENDER)
    assert pages.returncode == 0, pages.stderr
    assert pages.stdout.splitlines()[-1].split() == expected
    assert (
        "Edited after seeding"
        in in_database(
            empty_database,
            code=RENDER.replace(
                "hashlib.sha256(c.get(u).content).hexdigest()", "c.get(u).content.decode()"
            ),
        ).stdout
    )


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_has_articles(tmp_path):
    call_command("load_seed", verbosity=0)
    snapshot = tmp_path / "snapshot.backup"
    call_command("backup", str(snapshot), stdout=open(os.devnull, "w"))
    Article.objects.filter(slug="rise-of-ai-in-hong-kong").update(title="Newer work")
    with pytest.raises(CommandError, match="already holds articles"):
        call_command("restore", str(snapshot))
    assert Article.objects.get(slug="rise-of-ai-in-hong-kong").title == "Newer work"


def test_restore_refuses_what_is_not_a_backup(tmp_path, db):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CommandError):
        call_command("restore", str(junk))
    with pytest.raises(CommandError, match="No backup at"):
        call_command("restore", str(tmp_path / "missing.backup"))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite online backup API")
@pytest.mark.django_db(transaction=True)
def test_backup_is_consistent_while_another_process_writes(tmp_path):
    """A writer process saves articles while backups are taken from the same file."""
    database = tmp_path / "live.sqlite3"
    url = f"sqlite:///{database}"
    assert in_database(url, "migrate", "--noinput").returncode == 0
    writer = subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "devtools" / "write_loop.py"), "25", "w"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "hkai_site.settings",
             "PYTHONPATH": str(settings.BASE_DIR)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    counts = []
    for n in range(5):
        snapshot = tmp_path / f"snap{n}.backup"
        made = in_database(url, "backup", str(snapshot))
        assert made.returncode == 0, made.stderr
        check = f"sqlite:///{snapshot}"
        code = (
            "import django; django.setup(); from articles.models import Article, Section; "
            "from django.db import connection; "
            "c = connection.cursor(); c.execute('PRAGMA integrity_check'); "
            "print(c.fetchone()[0], Article.objects.count(), "
            "Article.objects.filter(sections__isnull=True).count())"
        )
        result = in_database(check, code=code).stdout.split()
        assert result[0] == "ok" and result[2] == "0"  # whole articles only
        counts.append(int(result[1]))
    out, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    assert counts == sorted(counts)


def damage(snapshot, copy):
    """A copy of `snapshot` with bytes in the middle overwritten: on SQLite the first
    page of the sections table (the migrations table still reads), on PostgreSQL
    4 KiB in the middle of the dump's data."""
    data = bytearray(snapshot.read_bytes())
    if connection.vendor == "sqlite":
        with contextlib.closing(sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)) as db:
            size = db.execute("PRAGMA page_size").fetchone()[0]
            sql = "SELECT rootpage FROM sqlite_master WHERE name = 'articles_section'"
            start = (db.execute(sql).fetchone()[0] - 1) * size
    else:
        start, size = len(data) // 2, 4096
    assert len(data) > start + size, "the snapshot is large enough to damage"
    data[start : start + size] = b"\x5a\xa5" * (size // 2)
    copy.write_bytes(bytes(data))
    return copy


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_damaged_backup_and_keeps_the_database(tmp_path):
    call_command("load_seed", verbosity=0)
    expected = fingerprints(Client())
    snapshot = tmp_path / "snapshot.backup"
    call_command("backup", str(snapshot), stdout=open(os.devnull, "w"))
    damaged = damage(snapshot, tmp_path / "damaged.backup")
    with pytest.raises(CommandError, match="is damaged") as refused:
        call_command("restore", str(damaged), "--replace")
    assert "\n" not in str(refused.value)
    assert fingerprints(Client()) == expected
    assert Article.objects.count() == 2
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchone()[0] == "ok"
    call_command("restore", str(snapshot), "--replace", stdout=open(os.devnull, "w"))
    assert fingerprints(Client()) == expected  # the undamaged one still restores


def test_backups_are_readable_by_their_owner_only(tmp_path, transactional_db):
    snapshot = tmp_path / "snapshot.backup"
    call_command("backup", str(snapshot), stdout=open(os.devnull, "w"))
    assert snapshot.stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite database file")
def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path):
    database = tmp_path / "new.sqlite3"
    made = in_database(f"sqlite:///{database}", "migrate", "--noinput")
    assert made.returncode == 0, made.stderr
    files = [database, tmp_path / "new.sqlite3-wal", tmp_path / "new.sqlite3-shm"]
    probe = in_database(  # a worker holding the database open keeps -wal and -shm
        f"sqlite:///{database}",
        code=(
            "import django, os, stat; django.setup(); from django.db import connection; "
            "connection.ensure_connection(); "
            f"print(*[oct(os.stat(f).st_mode & 0o777) for f in {[str(f) for f in files]!r}])"
        ),
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split() == ["0o600"] * 3


@pytest.mark.parametrize("where", ["missing/dir/x.backup", "a-file/x.backup"])
def test_backup_to_a_place_that_cannot_be_written_is_a_one_line_error(tmp_path, db, where):
    (tmp_path / "a-file").write_text("a file, not a directory")
    database = in_database("sqlite:///" + str(tmp_path / "db.sqlite3"), "migrate", "--noinput")
    assert database.returncode == 0, database.stderr
    result = in_database(
        "sqlite:///" + str(tmp_path / "db.sqlite3"), "backup", str(tmp_path / where)
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"CommandError: Cannot write {tmp_path / where}")
    assert "Traceback" not in result.stderr


@pytest.mark.django_db(transaction=True)
def test_a_restored_site_shows_its_images(
    tmp_path, empty_database, make_article, make_image, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"  # this test's images alone
    image = make_image(size=(900, 600), alt_text="A restored test pattern")
    article = make_article(slug="pictured", lead_image=image)
    snapshot = tmp_path / "snapshot.backup"
    out = io.StringIO()
    call_command("backup", str(snapshot), stdout=out)
    assert f"Backed up {1 + len(image.renditions)} image files" in out.getvalue()
    media = tmp_path / "restored-media"
    restored = in_database(empty_database, "restore", str(snapshot), DJANGO_MEDIA_ROOT=str(media))
    assert restored.returncode == 0, restored.stderr
    assert f"Restored {1 + len(image.renditions)} image files (0 already here)" in restored.stdout
    code = (
        RENDER.split("import django")[0]
        + "import django; django.setup(); from django.test import Client; c = Client(); "
        f"page = c.get('{article.get_absolute_url()}').content.decode(); "
        "import re; names = re.findall(r'/media/(images/[^ \"]+)', page); "
        "print(len(names), *sorted({c.get('/media/' + n).status_code for n in names}))"
    )
    shown = in_database(empty_database, code=code, DJANGO_MEDIA_ROOT=str(media))
    assert shown.returncode == 0, shown.stderr
    count, *statuses = shown.stdout.split()
    assert int(count) >= 9 and statuses == ["200"]


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_media_archive_with_other_files(tmp_path):
    import tarfile

    snapshot = tmp_path / "snapshot.backup"
    call_command("backup", str(snapshot), stdout=io.StringIO())
    with tarfile.open(f"{snapshot}.media.tar", "w") as tar:
        tar.add(__file__, arcname="../../etc/evil.py")
    with pytest.raises(CommandError, match="not an image; nothing restored"):
        call_command("restore", str(snapshot), "--replace", stdout=io.StringIO())
