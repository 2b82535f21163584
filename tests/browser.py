"""Real-browser fixtures: Debian's Chromium, driven by Playwright, against `live_server`.

Tests marked `browser` run in the SQLite leg only (the PostgreSQL leg skips them to
save time). Without Chromium they are skipped with a loud message; under CI=true they
fail instead. `live_server` serves STATIC_ROOT, filled by `collected_static` from the sources.
"""

import os

import pytest
from django.conf import settings

from devtools.chromium import CHROMIUM, available, launch

ON_SQLITE = "sqlite" in settings.DATABASES["default"]["ENGINE"]
IN_CI = os.environ.get("CI", "").strip().lower() == "true"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NOTES = pytest.StashKey[list]()


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real browser (Chromium)")
    config.stash[NOTES] = []


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    if not browser_items:
        return
    if not ON_SQLITE:
        reason = "browser tests run in the SQLite leg only"
    elif not available() and not IN_CI:
        reason = f"Chromium not found at {CHROMIUM}; `make test` installs it when run as root"
        config.stash[NOTES].append(
            f"*** SKIPPED {len(browser_items)} browser tests: {reason}. "
            "Under CI=true they fail instead. ***"
        )
    else:
        return
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter, config):
    for note in config.stash.get(NOTES, []):
        terminalreporter.write_line(note, yellow=True, bold=True)


def note(config, line):
    """A line printed in the terminal summary (for findings that do not fail a test)."""
    config.stash[NOTES].append(line)


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module (launching takes under a second)."""
    if not available():
        pytest.fail(f"CI=true but Chromium is not installed at {CHROMIUM}", pytrace=False)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop open in this thread while it runs, which
    # Django takes for async code; the tests' ORM calls between browser steps are plain
    # synchronous code, so say so for as long as the browser is open.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = launch(playwright)
        yield chromium
        chromium.close()


class Console:
    """Console messages and uncaught errors of every page in a browser context."""

    def __init__(self, context):
        self.messages = []
        context.on("console", lambda message: self.messages.append(message))
        context.on("weberror", lambda error: self.messages.append(error.error))

    def problems(self):
        """Errors, warnings, uncaught exceptions and CSP violations, as text."""
        found = []
        for message in self.messages:
            if isinstance(message, Exception):
                found.append(f"uncaught: {message}")
            elif message.type in ("error", "warning"):
                found.append(f"{message.type}: {message.text} ({message.location['url']})")
        return found

    def csp_violations(self):
        return [text for text in self.problems() if "Content Security Policy" in text]


@pytest.fixture(scope="session")
def collected_static(django_db_blocker):
    """pytest-django's live server serves STATIC_ROOT, which tests/conftest.py points at
    an empty directory of this run's: fill it from the sources once per session."""
    from django.core.management import call_command
    from django.test import override_settings

    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
        call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture
def new_context(browser, live_server, collected_static):
    """Open a browser context on the live server: `new_context(viewport=PHONE)` etc."""
    contexts = []

    def open_context(**options):
        options = {
            "base_url": live_server.url,
            "viewport": DESKTOP,
            "locale": "en-GB",
            "reduced_motion": "reduce",
            **options,
        }
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        context.console = Console(context)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A desktop page for an anonymous reader."""
    return new_context().new_page()


@pytest.fixture
def login(client, live_server):
    """Sign `user` in to a browser context without the form (the editor journey uses it)."""

    def sign_in(context, user):
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return context

    return sign_in


def sideways_overflow(page):
    """[] when the page does not scroll sideways; else what sticks out on the right."""
    return page.evaluate(
        """() => document.documentElement.scrollWidth <= window.innerWidth ? [] :
          [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth)
            .map(e => e.outerHTML.slice(0, 100))"""
    )
