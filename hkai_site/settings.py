"""HKAI settings: one module for every environment; values come from the environment.

Every variable read here is listed in `.env.example` and in the README's table.
"""

import contextlib
import datetime
import os
import secrets
import time
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    """The variable's value, or `default` when it is unset or empty: an environment file
    (systemd's EnvironmentFile, `set -a; . ./.env.example`) writes `NAME=` for "unset"."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name, default=False):
    value = env(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


def env_number(name, default, kind=int):
    value = env(name)
    if value is None:
        return default
    try:
        return kind(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from None


def env_list(name, default):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def secret_key():
    """DJANGO_SECRET_KEY, else a local key generated once into the untracked `.secret_key`."""
    key = env("DJANGO_SECRET_KEY")
    if key is not None:
        if len(key) < 32:
            raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 32 characters long.")
        return key
    path = BASE_DIR / ".secret_key"
    try:
        # O_EXCL: of several workers starting at once, one writes; all read the same key.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as error:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is not set and {path} cannot be written ({error}). "
            "Set DJANGO_SECRET_KEY to a long random string."
        ) from error
    else:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    for _ in range(50):  # another process may be between creating and writing the file
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise ImproperlyConfigured(f"{path} is empty; delete it or set DJANGO_SECRET_KEY.")


DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "hkai_site.apps.StaticFilesConfig",  # django.contrib.staticfiles, fewer files
    "django.contrib.sitemaps",
    "hkai_site.apps.TagsConfig",  # taggit
    "reversion",
    "csp",
    "hkai_site.apps.LoginAttemptsConfig",  # axes
    "corsheaders",
    "ninja",  # the API docs page's script and styles, served as static files
    "articles.apps.ArticlesConfig",
    # The project's own plumbing: backup and restore commands.
    "hkai_site.apps.SiteConfig",
]

MIDDLEWARE = [
    # First: every log line of a request carries its id (X-Request-ID).
    "hkai_site.request_id.RequestIdMiddleware",
    # Load balancers and supervisors probe /healthz and /livez by IP over plain HTTP.
    "hkai_site.middleware.HealthCheckMiddleware",
    # Whole public pages from the cache, keyed on the content version: never stale.
    # Outermost after the two above, so that a stored page carries every header the
    # rest adds, and hkai_site/front_door.py can answer it before Django's handler.
    "articles.cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Uploaded images, named by content, cached for a year (DJANGO_SERVE_MEDIA).
    "hkai_site.media.MediaMiddleware",
    # Before anything that answers early: CORS headers on /api/ responses and 304s.
    "corsheaders.middleware.CorsMiddleware",
    "hkai_site.middleware.ApiCacheMiddleware",
    "hkai_site.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface from the address's prefix (/zh-hant/, /zh-hans/; English has none);
    # a bare / alone follows the switcher's cookie or Accept-Language (addresses.py).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: refuses logins after too many failures.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "hkai_site.urls"
WSGI_APPLICATION = "hkai_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

SQLITE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL", SQLITE_URL), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share one file: in WAL mode readers never wait for the
    # writer; IMMEDIATE takes the write lock at BEGIN, so a writer queues (up to the
    # timeout) instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # The file holds password hashes and sessions: create it owner-only (SQLite would
    # use the umask's 0644); SQLite gives its -wal and -shm files the same mode.
    sqlite_file = str(DATABASES["default"]["NAME"])
    if sqlite_file != ":memory:" and not sqlite_file.startswith("file:"):
        with contextlib.suppress(OSError):  # it exists, or its directory does not
            os.close(os.open(sqlite_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if env("REDIS_URL"):
    CACHES = {
        "default": {
            # Django's Redis cache, but Redis down is a cache miss, not an error page.
            "BACKEND": "hkai_site.cache_backends.RedisCache",
            "LOCATION": env("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Article cards, each stored once per version of what it shows and kept across edits
# (articles/fragments.py): beside the pages in Redis, else in each process's memory,
# bounded (a card is about 0.9 KB stored; 1,000 of them about 1 MB a worker).
# Article bodies too, where Redis keeps them: about 8 KB each, 3,000 fragments in
# memory had made each worker 30 MB larger (make bench).
FRAGMENT_BODIES = bool(env("REDIS_URL"))
FRAGMENTS_TIMEOUT = 7 * 24 * 60 * 60
if env("REDIS_URL"):
    CACHES["fragments"] = {
        **CACHES["default"],
        "KEY_PREFIX": "fragment",
        "TIMEOUT": FRAGMENTS_TIMEOUT,
    }
else:
    CACHES["fragments"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "TIMEOUT": FRAGMENTS_TIMEOUT,
        "OPTIONS": {"MAX_ENTRIES": 1000},
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Browsers asking for zh-CN, zh-SG or zh-Hans get zh-hans, zh-HK, zh-TW, zh-MO or
# zh-Hant get zh-hant (Django's fallbacks); the Simplified catalogue is made from the
# Traditional one (devtools/simplified_catalogue.py).
LANGUAGES = [("en", "English"), ("zh-hant", "繁體中文"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
FORMAT_MODULE_PATH = ["hkai_site.formats"]
TIME_ZONE = "Asia/Hong_Kong"
USE_I18N = True
USE_TZ = True

# Names this deployment in the page cache's keys (articles/cache.py, release()): set it
# to the deployed commit or build number. Unset: a hash of the static manifest, else of
# the code, so a deploy never serves the previous release's pages.
RELEASE = os.environ.get("RELEASE", "")

STATIC_URL = "static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (cached for a year by browsers) plus gzip and Brotli copies.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploaded images (articles/images.py): on local disk under MEDIA_ROOT, served by the
# app (hkai_site/media.py) or the reverse proxy; or, with AWS_STORAGE_BUCKET_NAME, on
# an S3-compatible object store shared by several servers (docs/operations.md).
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = env("DJANGO_MEDIA_URL", "/media/")
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", True)
IMAGE_MAX_BYTES = int(env_number("DJANGO_IMAGE_MAX_MB", 20, float) * 1_000_000)
IMAGE_MAX_PIXELS = int(env_number("DJANGO_IMAGE_MAX_MEGAPIXELS", 50, float) * 1_000_000)
MEDIA_ORIGINS = []  # where pages load images from besides this site (img-src below)
if env("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL"),
            "region_name": env("AWS_S3_REGION_NAME"),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN"),
            "location": env("AWS_LOCATION", ""),
            # Names are made from content: a name is never written twice with new bytes.
            "file_overwrite": False,
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
            "default_acl": env("AWS_DEFAULT_ACL"),
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    SERVE_MEDIA = False
    if env("AWS_S3_CUSTOM_DOMAIN"):
        MEDIA_ORIGINS = [f"https://{env('AWS_S3_CUSTOM_DOMAIN')}"]
    elif env("AWS_S3_ENDPOINT_URL"):
        MEDIA_ORIGINS = [env("AWS_S3_ENDPOINT_URL").rstrip("/")]
    else:
        MEDIA_ORIGINS = ["https://*.amazonaws.com"]

# How many reverse proxies in front of the site append to X-Forwarded-For: the client's
# address is the one the outermost proxy saw. 0 (unset): REMOTE_ADDR, the header ignored.
TRUSTED_PROXIES = env("DJANGO_TRUSTED_PROXIES", "0")
if not TRUSTED_PROXIES.isdecimal():
    raise ImproperlyConfigured(
        "DJANGO_TRUSTED_PROXIES must be a whole number: how many proxies append to "
        "X-Forwarded-For (0 or unset when clients connect directly)."
    )
TRUSTED_PROXIES = int(TRUSTED_PROXIES)

# Behind a TLS-terminating reverse proxy, DJANGO_HTTPS=1 trusts its X-Forwarded-Proto
# header and turns on HTTPS-only cookies, the redirect to HTTPS and HSTS.
if env_bool("DJANGO_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_number("DJANGO_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), "
    "browsing-topics=()"
)
# Scripts and styles come from this site only: no inline script runs anywhere,
# the admin included. JSON data blocks (JSON-LD, the admin's constants) are not run.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *MEDIA_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The admin: where it lives, how long a staff session lasts, and login lockout.
ADMIN_PATH = env("DJANGO_ADMIN_PATH", "admin").strip("/") + "/"
SESSION_COOKIE_AGE = int(env_number("DJANGO_SESSION_HOURS", 8, float) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
AXES_FAILURE_LIMIT = env_number("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_number("DJANGO_LOCKOUT_MINUTES", 15))
# A user name is locked for the client address that guessed wrong, not for everyone.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "hkai_site.proxies.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False
# An article's form sends 7 fields a section: Django's default of 1,000 fields refused
# (400) every save and autosave of an article past about 140 sections. 4,000 holds the
# 500 sections the preview and autosave read (articles/drafts.py, MAX_FIELDS).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 4000
# A form's text: Django's default 2.5 MB refused (400) an article whose two longest
# sections (200,000 Chinese characters, 600 KB each in UTF-8, twice that once
# form-encoded) are within the limits editors are told of. 16 MB holds several.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

# Review notifications (articles/mail.py): printed to the console, unless
# DJANGO_EMAIL_HOST names an SMTP server to send them through.
EMAIL_HOST = env("DJANGO_EMAIL_HOST")
EMAIL_BACKEND = f"django.core.mail.backends.{'smtp' if EMAIL_HOST else 'console'}.EmailBackend"
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = env_number("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "Set DJANGO_EMAIL_USE_TLS (STARTTLS, usually port 587) or DJANGO_EMAIL_USE_SSL "
        "(port 465), not both."
    )
# Seconds to wait for the server: a send happens while an editor's page waits.
EMAIL_TIMEOUT = env_number("DJANGO_EMAIL_TIMEOUT", 10, float)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "HKAI newsroom <newsroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

TAGGIT_CASE_INSENSITIVE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "hkai_site.request_id.RequestIdFilter"},
        "client_errors": {"()": "hkai_site.logs.ClientErrorsWithoutTraceback"},
    },
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name} [{request_id}] {message}", "style": "{"}
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
            "filters": ["request_id", "client_errors"],
        }
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        # Lock-outs and failed sign-ins (warnings), not four lines for every sign-in.
        "axes": {"level": "WARNING"},
    },
}

SITE_NAME = "HKAI"

# The read-only JSON API (articles/api.py): any site may read it from a browser.
API_PREFIX = "/api/"
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag"]
CORS_PREFLIGHT_MAX_AGE = 86400

# Names and terms kept as written when a Chinese article is shown in the other script
# (articles/scripts.py): OpenCC would otherwise rewrite a product's own name. An editor
# marks any other span in the text itself (docs/editors.md). DJANGO_KEEP_AS_WRITTEN adds
# comma-separated terms to these.
KEEP_AS_WRITTEN = [
    "智譜",
    "智谱",
    *env_list("DJANGO_KEEP_AS_WRITTEN", ""),
]
