import datetime
import itertools

import pytest
from django.utils import timezone

from articles.models import Article, Section

pytest_plugins = ["tests.browser"]

_counter = itertools.count(1)


def pytest_configure(config):
    """Serve static files from the sources, never from a collected copy that may be
    stale (whitenoise serves STATIC_ROOT when it exists); tests that need collected
    files run collectstatic into a directory of their own."""
    import tempfile

    from django.conf import settings

    settings.STATIC_ROOT = tempfile.mkdtemp(prefix="hkai-test-static-")
    # Uploaded images go to a directory of the run's own, never into the checkout.
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="hkai-test-media-")
    # Every user a test makes hashes its password: with the site's own hasher (PBKDF2,
    # 1,000,000 rounds, 0.26 s each here) that was half the time of the review, roles
    # and drafts tests (54.9 s against 27.1). The site itself keeps Django's default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """No manifest exists before collectstatic; tests/test_server.py collects a real one
    for the gunicorn it starts."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default interface. A request to a prefixed address
    (/zh-hant/...) leaves its language active in the thread, as Django does, and
    `reverse()` in a later test would then give that interface's addresses."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with empty caches (pages and counts; cards)."""
    from django.conf import settings
    from django.core.cache import caches

    def clear():
        for alias in settings.CACHES:
            caches[alias].clear()

    clear()
    yield
    clear()


@pytest.fixture(autouse=True)
def own_session_closed():
    """The page cache's own PostgreSQL session (articles/cache.py, `_Session`) ends with
    each test: left open, it keeps the test database from being dropped."""
    yield
    from articles import cache

    cache._SESSION.close()


@pytest.fixture
def make_article(db):
    """Create an article (published an hour ago unless told otherwise) with sections and tags."""

    def make(*, tags=(), sections=None, **fields):
        n = next(_counter)
        fields.setdefault("title", f"Article {n}")
        fields.setdefault("slug", f"article-{n}")
        fields.setdefault("standfirst", f"Standfirst of article {n}.")
        fields.setdefault("status", Article.Status.PUBLISHED)
        if fields["status"] == Article.Status.PUBLISHED:
            fields.setdefault("published_at", timezone.now() - datetime.timedelta(hours=1))
        article = Article.objects.create(**fields)
        if sections is None:
            sections = [("", f"Introduction to article {n}."), ("Details", "More *detail*.")]
        for position, (heading, body) in enumerate(sections):
            Section.objects.create(article=article, position=position, heading=heading, body=body)
        if tags:
            article.tags.add(*tags)
        return article

    return make


@pytest.fixture
def make_image(db):
    """A library image made from a picture drawn here (tests/helpers.py picture_bytes)."""
    from articles import images
    from tests.helpers import picture_bytes

    def make(size=(2000, 1500), format="JPEG", **fields):
        n = next(_counter)
        fields.setdefault("alt_text", f"A test pattern {n}")
        image = images.ingest(picture_bytes(size, format, seed=n), **fields)
        image.save()
        return image

    return make


@pytest.fixture
def seeded(db):
    """The two seed articles, loaded the way `make run` loads them."""
    from django.core.management import call_command

    call_command("load_seed", verbosity=0)
    return {article.slug: article for article in Article.objects.all()}


def _role(name):
    """The group `name` as the migrations make it (0003, then 0014's images, 0018's
    outbox and 0020's author profiles). A transactional test empties every table, and
    with them the groups made by data migrations: a later test's group is made again
    from the same lists."""
    import importlib

    from django.contrib.auth.models import Group, Permission

    group, created = Group.objects.get_or_create(name=name)
    if created:
        migration = "articles.migrations.{}".format
        wanted = list(importlib.import_module(migration("0003_roles")).ROLES[name])
        wanted += [
            ("articles", codename)
            for codename in importlib.import_module(migration("0014_images")).ROLES[name]
        ]
        if name == "Editors":
            outbox = importlib.import_module(migration("0018_review_steps"))
            wanted += [("articles", codename) for codename in outbox.EDITOR_PERMISSIONS]
        profiles = importlib.import_module(migration("0020_bylines"))
        wanted += [
            ("articles", codename)
            for codename in getattr(profiles, f"{name[:-1].upper()}_PERMISSIONS", [])
        ]
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return group


def _member(django_user_model, username, group):
    user = django_user_model.objects.create_user(
        username, f"{username}@hkai.test", "pw", is_staff=True, first_name=username.title()
    )
    user.groups.add(_role(group))
    return user


@pytest.fixture
def author(db, django_user_model):
    """A member of the Authors group (created by migration)."""
    return _member(django_user_model, "amy", "Authors")


@pytest.fixture
def other_author(db, django_user_model):
    return _member(django_user_model, "oscar", "Authors")


@pytest.fixture
def editor(db, django_user_model):
    """A member of the Editors group (created by migration)."""
    return _member(django_user_model, "eddie", "Editors")


@pytest.fixture
def client_for(client):
    """A logged-in test client for `user` (a fresh client each call)."""
    from django.test import Client

    def login(user):
        session = Client()
        session.force_login(user)
        return session

    return login


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (devtools/services.py), and the site set to send
    its email through it as DJANGO_EMAIL_HOST would: yields the server's Inbox."""
    from devtools.services import start_smtp

    inbox = start_smtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", inbox.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield inbox
    inbox.stop()
