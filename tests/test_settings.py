"""Settings come from the environment, with safe local defaults."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from hkai_site import settings as site_settings
from tests.helpers import run_python


def settings_in_subprocess(expression, **env):
    """Evaluate `expression` against settings loaded fresh with only `env` changed."""
    code = f"import hkai_site.settings as s; print({expression})"
    return run_python("-c", code, env=env, timeout=60)


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


@pytest.mark.skipif(not (settings.BASE_DIR / ".git").exists(), reason="not a git checkout")
def test_the_files_a_local_run_writes_stay_out_of_git():
    written = [
        site_settings.BASE_DIR / ".secret_key",  # secret_key()
        Path(site_settings.SQLITE_URL.removeprefix("sqlite:///")),  # the default database
        Path(site_settings.SQLITE_URL.removeprefix("sqlite:///") + "-wal"),
        site_settings.BASE_DIR / "staticfiles" / "staticfiles.json",  # collectstatic
        site_settings.BASE_DIR / ".venv" / "bin" / "python",  # what make installs
    ]
    paths = [str(path.relative_to(settings.BASE_DIR)) for path in written]
    result = subprocess.run(["git", "check-ignore", *paths], cwd=settings.BASE_DIR,
                            capture_output=True, text=True)  # fmt: skip
    assert result.stdout.split() == paths, result.stderr


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
    # Cards beside the pages, under their own prefix; else bounded in each process.
    cards = settings_in_subprocess(
        "sorted(s.CACHES['fragments'].items())", REDIS_URL="redis://127.0.0.1:6379/0"
    ).stdout.strip()
    assert "RedisCache" in cards and "'KEY_PREFIX', 'fragment'" in cards
    local = settings_in_subprocess("s.CACHES['fragments']['OPTIONS']").stdout.strip()
    assert local == "{'MAX_ENTRIES': 1000}"
    bodies = settings_in_subprocess("s.FRAGMENT_BODIES", REDIS_URL="redis://127.0.0.1:6379/0")
    assert bodies.stdout.strip() == "True"
    assert settings_in_subprocess("s.FRAGMENT_BODIES").stdout.strip() == "False"


def example_variables():
    """The names `.env.example` sets, in its order."""
    lines = (settings.BASE_DIR / ".env.example").read_text().splitlines()
    return [line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")]


SETTINGS_FROM_THE_ENVIRONMENT = (
    "DEBUG SECRET_KEY ALLOWED_HOSTS CSRF_TRUSTED_ORIGINS STATIC_ROOT DATABASES CACHES "
    "SECURE_SSL_REDIRECT SECURE_HSTS_SECONDS SECURE_HSTS_INCLUDE_SUBDOMAINS SECURE_HSTS_PRELOAD "
    "ADMIN_PATH SESSION_COOKIE_AGE AXES_FAILURE_LIMIT AXES_COOLOFF_TIME"
).split()
SETTINGS_REPR = f"repr({{n: getattr(s, n, None) for n in {SETTINGS_FROM_THE_ENVIRONMENT!r}}})"


@pytest.mark.parametrize("https", ["", "1"])
def test_a_variable_left_empty_in_the_environment_file_means_its_default(https):
    # An environment file (systemd's EnvironmentFile, `set -a; . ./.env.example`) sets
    # `NAME=` to the empty string: that must mean the default, as if it were unset.
    unset = settings_in_subprocess(SETTINGS_REPR, DJANGO_HTTPS=https)
    empty = {name: "" for name in example_variables()}
    left_empty = settings_in_subprocess(SETTINGS_REPR, **{**empty, "DJANGO_HTTPS": https})
    assert left_empty.returncode == 0, left_empty.stderr
    assert left_empty.stdout == unset.stdout


def test_a_malformed_number_is_a_clear_start_up_error():
    result = settings_in_subprocess("s.SESSION_COOKIE_AGE", DJANGO_SESSION_HOURS="eight")
    assert result.returncode != 0
    assert "DJANGO_SESSION_HOURS must be a number, not 'eight'" in result.stderr


GUNICORN_SETTINGS = "bind workers timeout max_requests forwarded_allow_ips".split()


def gunicorn_settings(**env):
    code = (
        "import runpy; c = runpy.run_path('gunicorn.conf.py'); "
        f"print(repr({{n: c[n] for n in {GUNICORN_SETTINGS!r}}}))"
    )
    return run_python("-c", code, env=env, drop=tuple(example_variables()), timeout=60)


def test_gunicorn_reads_empty_variables_as_unset():
    unset = gunicorn_settings()
    left_empty = gunicorn_settings(**{name: "" for name in example_variables()})
    assert left_empty.returncode == 0, left_empty.stderr
    assert left_empty.stdout == unset.stdout
    assert "'workers': 2" in gunicorn_settings(WEB_CONCURRENCY="2").stdout


def test_https_redirects_and_sends_hsts_with_subdomains_and_preload_by_default():
    code = (
        "import django; django.setup(); from django.test import Client; c = Client(); "
        "plain = c.get('/robots.txt'); "
        "secure = c.get('/robots.txt', headers={'X-Forwarded-Proto': 'https'}); "
        "print(plain.status_code, plain['Location']); print(secure['Strict-Transport-Security'])"
    )
    env = {
        "DJANGO_HTTPS": "1",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "hkai_site.settings",
    }
    result = run_python("-c", code, env=env, timeout=60)
    assert result.stdout.splitlines() == [
        "301 https://testserver/robots.txt",
        "max-age=31536000; includeSubDomains; preload",
    ], result.stderr


def test_sqlite_file_database_runs_in_wal_mode(tmp_path):
    result = settings_in_subprocess(
        "__import__('django').setup() or __import__('django.db').db.connection.cursor()"
        ".execute('PRAGMA journal_mode').fetchone()[0]",
        DATABASE_URL=f"sqlite:///{tmp_path / 'wal.sqlite3'}",
        DJANGO_SETTINGS_MODULE="hkai_site.settings",
    )
    assert result.stdout.strip() == "wal", result.stderr
