"""Consistent snapshots of the live database, and restoring one.

SQLite: the online backup API copies a consistent snapshot while gunicorn workers keep
reading and writing. PostgreSQL: pg_dump (custom format), restored with pg_restore.
"""

import contextlib
import glob
import os
import shutil
import sqlite3
import subprocess
import urllib.parse

from django.db import DatabaseError, connection


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def backup(path):
    """Write a consistent snapshot of the database to `path` (atomically), readable by
    its owner only: it holds password hashes and sessions."""
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
    partial = f"{path}.partial"
    try:
        # Made here, owner-only, before SQLite or pg_dump write into it with their modes.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # a partial file left by an earlier failure
        os.close(descriptor)
    except OSError as error:
        raise BackupError(f"Cannot write {path}: {error.strerror}.") from error
    try:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(partial)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  "--file", partial])  # fmt: skip
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(partial)
        raise


def restore(path, *, replace=False):
    """Load the snapshot at `path` into this database.

    Refuses (and changes nothing) when the database already holds articles, unless
    `replace` is given: a restore must never silently drop an editor's work."""
    if not os.path.isfile(path):
        raise BackupError(f"No backup at {path}.")
    articles = has_articles()
    if articles and not replace:
        raise BackupError(
            "This database already holds articles; restoring would replace them. "
            "Use --replace if that is what you want."
        )
    if connection.vendor == "sqlite":
        _check_sqlite_backup(path)
        source = _open_read_only(path)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        _check_postgres_backup(path)
        connection.close()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", path])  # fmt: skip
    else:
        raise BackupError(f"Restoring {connection.vendor} databases is not supported.")
    connection.close()


def has_articles():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM articles_article LIMIT 1")
            return cursor.fetchone() is not None
    except DatabaseError:
        return False  # no tables yet: an empty database


def _open_read_only(path):
    """The backup file, read as it is: nothing written to it, no -wal or -shm beside it."""
    return sqlite3.connect(f"file:{urllib.parse.quote(str(path))}?mode=ro&immutable=1", uri=True)


def _check_sqlite_backup(path):
    """Refuse a file that is no HKAI database, or one with a damaged page anywhere."""
    try:
        with contextlib.closing(_open_read_only(path)) as probe:
            probe.execute("SELECT app, name FROM django_migrations LIMIT 1").fetchall()
            problems = [row[0] for row in probe.execute("PRAGMA integrity_check(5)")]
    except sqlite3.DatabaseError as error:
        if "malformed" in str(error):
            raise BackupError(f"{path} is damaged ({error}); nothing was restored.") from error
        raise BackupError(f"{path} is not an HKAI SQLite backup ({error}).") from error
    if problems != ["ok"]:
        first = " ".join(problems[0].split())
        raise BackupError(f"{path} is damaged ({first}); nothing was restored.")


def _check_postgres_backup(path):
    """Read the whole dump (every data block is compressed with a checksum) into
    nowhere: a damaged dump fails here, before anything is dropped."""
    tool = _postgres_tool("pg_restore")
    result = subprocess.run([tool, "--file", os.devnull, path], capture_output=True, text=True)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or ["pg_restore failed"]
        raise BackupError(f"{path} is damaged ({lines[0]}); nothing was restored.")


def _run(command):
    settings = connection.settings_dict
    tool = _postgres_tool(command[0])
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    args = [tool, *command[1:], "--dbname", settings["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args += [flag, str(settings[key])]
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _postgres_tool(name):
    """The tool from the newest PostgreSQL on this machine (pg_dump must not be older
    than the server)."""
    for directory in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(directory, name)):
            return os.path.join(directory, name)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client).")
    return found
