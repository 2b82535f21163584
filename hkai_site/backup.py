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


# Media: the uploaded images, through the storage API (local disk or an object store).
# They go into a tar archive beside the database snapshot, PATH.media.tar. Every name
# is made from its file's content, so restoring never overwrites a different file.
MEDIA_SUFFIX = ".media.tar"
MEDIA_TOP = "images"


def media_path(path):
    return f"{path}{MEDIA_SUFFIX}"


def _stored_names(storage, directory):
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}"
    for sub in sorted(directories):
        yield from _stored_names(storage, f"{directory}/{sub}")


def backup_media(path):
    """Write every stored image to PATH.media.tar (atomically, owner-only); returns how
    many files it holds."""
    import tarfile

    from django.core.files.storage import storages

    storage = storages["default"]
    target, partial = media_path(path), f"{media_path(path)}.partial"
    count = 0
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle, tarfile.open(fileobj=handle, mode="w") as tar:
            for name in _stored_names(storage, MEDIA_TOP):
                with storage.open(name) as stored:
                    info = tarfile.TarInfo(name)
                    info.size = storage.size(name)
                    info.mode = 0o644
                    tar.addfile(info, stored)
                count += 1
        os.replace(partial, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.remove(partial)
        raise BackupError(f"Cannot write {target}: {error.strerror or error}.") from error
    return count


def check_media(path):
    """Refuse a damaged media archive, or one holding anything but stored images,
    before the database is touched."""
    import tarfile

    archive = media_path(path)
    if not os.path.isfile(archive):
        return
    try:
        with tarfile.open(archive, mode="r") as tar:
            _checked_members(archive, tar)
    except tarfile.TarError as error:
        raise BackupError(f"{archive} is damaged ({error}); nothing was restored.") from error


def _checked_members(archive, tar):
    members = tar.getmembers()
    for member in members:
        parts = member.name.split("/")
        if not member.isfile() or parts[0] != MEDIA_TOP or ".." in parts or "" in parts:
            raise BackupError(f"{archive} holds {member.name!r}, not an image; nothing restored.")
    return members


def restore_media(path):
    """Put the images of PATH.media.tar back into storage; returns (files restored,
    files already there), or None when the backup has no media archive. Members with
    any other name than a stored image's are refused before anything is written."""
    import tarfile

    from django.core.files.storage import storages

    archive = media_path(path)
    if not os.path.isfile(archive):
        return None
    storage = storages["default"]
    try:
        with tarfile.open(archive, mode="r") as tar:
            members = tar.getmembers()
            for member in members:
                parts = member.name.split("/")
                if (not member.isfile() or parts[0] != MEDIA_TOP or ".." in parts
                        or member.name.startswith("/")):  # fmt: skip
                    raise BackupError(
                        f"{archive} holds {member.name!r}, not an image; nothing restored."
                    )
            restored = present = 0
            for member in members:
                if storage.exists(member.name):
                    present += 1
                    continue
                storage.save(member.name, tar.extractfile(member))
                restored += 1
    except tarfile.TarError as error:
        raise BackupError(f"{archive} is damaged ({error}); no image was restored.") from error
    return restored, present
