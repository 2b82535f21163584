"""Consistent snapshots of the live database, and restoring one.

SQLite: the online backup API copies a consistent snapshot while gunicorn workers keep
reading and writing. PostgreSQL: pg_dump (custom format), restored with pg_restore.
"""

import glob
import os
import shutil
import sqlite3
import subprocess

from django.db import DatabaseError, connection


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def backup(path):
    """Write a consistent snapshot of the database to `path` (atomically)."""
    partial = f"{path}.partial"
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(partial)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", partial])
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
    os.replace(partial, path)


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
        source = sqlite3.connect(path)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    elif connection.vendor == "postgresql":
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


def _check_sqlite_backup(path):
    try:
        probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            probe.execute("SELECT app, name FROM django_migrations LIMIT 1").fetchall()
        finally:
            probe.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not an HKAI SQLite backup ({error}).") from error


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
