"""Settings come from the environment, with safe local defaults."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from hkai_site import settings as site_settings


def settings_in_subprocess(expression, tmp_path=None, **env):
    """Evaluate `expression` against settings loaded fresh with only `env` changed."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    environ.update(env)
    code = f"import hkai_site.settings as s; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


@pytest.mark.parametrize(
    "value, expected",
    [("1", True), ("true", True), ("on", True), ("0", False), ("", False), ("no", False)],
)
def test_env_bool_parses_explicitly(monkeypatch, value, expected):
    monkeypatch.setenv("HKAI_FLAG", value)
    assert site_settings.env_bool("HKAI_FLAG") is expected


def test_debug_is_off_unless_asked_for():
    assert settings_in_subprocess("s.DEBUG").stdout.strip() == "False"
    assert settings_in_subprocess("s.DEBUG", DJANGO_DEBUG="1").stdout.strip() == "True"
    assert settings_in_subprocess("s.DEBUG", DJANGO_DEBUG="0").stdout.strip() == "False"


def test_secret_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "k" * 50)
    assert site_settings.secret_key() == "k" * 50


def test_a_short_secret_key_is_a_clear_start_up_error(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="at least 32 characters"):
        site_settings.secret_key()


def test_without_a_secret_key_one_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    monkeypatch.setattr(site_settings, "BASE_DIR", tmp_path)
    first = site_settings.secret_key()
    assert len(first) >= 50
    assert (tmp_path / ".secret_key").read_text() == first
    assert site_settings.secret_key() == first
    assert oct((tmp_path / ".secret_key").stat().st_mode)[-3:] == "600"


def test_workers_starting_at_once_share_one_generated_key(monkeypatch, tmp_path):
    import threading

    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    monkeypatch.setattr(site_settings, "BASE_DIR", tmp_path)
    keys, start = [], threading.Barrier(8)

    def boot():
        start.wait()
        keys.append(site_settings.secret_key())

    threads = [threading.Thread(target=boot) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1


def test_unwritable_secret_key_file_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    monkeypatch.setattr(site_settings, "BASE_DIR", tmp_path / "missing" / "dir")
    with pytest.raises(ImproperlyConfigured, match="Set DJANGO_SECRET_KEY"):
        site_settings.secret_key()


def test_local_files_are_not_tracked():
    ignored = (settings.BASE_DIR / ".gitignore").read_text().split()
    for name in (".secret_key", "db.sqlite3", "staticfiles/", ".venv/", ".env"):
        assert name in ignored


def test_allowed_hosts_default_and_override():
    assert settings_in_subprocess("s.ALLOWED_HOSTS").stdout.strip() == "['127.0.0.1', 'localhost']"
    result = settings_in_subprocess("s.ALLOWED_HOSTS", DJANGO_ALLOWED_HOSTS="hkai.hk, www.hkai.hk")
    assert result.stdout.strip() == "['hkai.hk', 'www.hkai.hk']"


def test_database_url_switches_engine():
    default = settings_in_subprocess("s.DATABASES['default']['ENGINE']")
    assert default.stdout.strip() == "django.db.backends.sqlite3"
    pg = settings_in_subprocess(
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']",
        DATABASE_URL="postgres://hkai:secret@db.internal:5432/hkai",
    )
    assert pg.stdout.strip() == "django.db.backends.postgresql hkai"


def test_redis_url_switches_the_cache_backend():
    local = settings_in_subprocess("s.CACHES['default']['BACKEND']").stdout.strip()
    assert local == "django.core.cache.backends.locmem.LocMemCache"
    redis = settings_in_subprocess(
        "s.CACHES['default']", REDIS_URL="redis://127.0.0.1:6379/0"
    ).stdout.strip()
    assert "hkai_site.cache_backends.RedisCache" in redis
    assert "redis://127.0.0.1:6379/0" in redis


def test_https_settings_behind_a_proxy():
    result = settings_in_subprocess(
        "s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS",
        DJANGO_HTTPS="1",
    )
    assert result.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https') True True True 31536000"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings")
def test_sqlite_is_set_up_for_several_writers():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]


def test_sqlite_file_database_runs_in_wal_mode(tmp_path):
    result = settings_in_subprocess(
        "__import__('django').setup() or __import__('django.db').db.connection.cursor()"
        ".execute('PRAGMA journal_mode').fetchone()[0]",
        DATABASE_URL=f"sqlite:///{tmp_path / 'wal.sqlite3'}",
        DJANGO_SETTINGS_MODULE="hkai_site.settings",
    )
    assert result.stdout.strip() == "wal", result.stderr
