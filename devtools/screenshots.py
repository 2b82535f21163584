"""Photograph the main pages at desktop and phone widths into docs/screenshots/.

    python -m devtools.screenshots [OUT_DIR]

Builds a throwaway site from the seed content the way `make run` does (a temporary
SQLite database, migrated and seeded, static files collected), serves it with gunicorn
on a free port on 127.0.0.1 and saves what Debian's Chromium shows, through Playwright.
"""

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from devtools.chromium import CHROMIUM, available, launch

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

PAGES = [
    ("home", "/"),
    ("article", "/articles/rise-of-ai-in-hong-kong/"),
    ("topics", "/tags/"),
    ("topic", "/tags/hong-kong/"),
    ("search", "/search/?q=%E9%A6%99%E6%B8%AF"),  # 香港
    # The Chinese interfaces, and a synthetic Chinese article (written in Traditional)
    # as written and in Simplified (devtools/generator.py, add_chinese_sample).
    ("home-zh-hant", "/zh-hant/"),
    ("home-zh-hans", "/zh-hans/"),
    ("article-zh-hant", "/zh-hant/articles/synthetic-chinese-sample/"),
    ("article-zh-hans", "/zh-hans/articles/synthetic-chinese-sample/"),
]
SIZES = {
    "desktop": {"width": 1280, "height": 860},
    "phone": {"width": 390, "height": 844},
}
DARK = [("desktop", "home"), ("phone", "article")]
EDITOR, EDITOR_PASSWORD = "edith", "screenshots of the editing screen"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextlib.contextmanager
def seeded_site():
    """gunicorn serving a fresh, seeded site; yields its base URL."""
    with tempfile.TemporaryDirectory(prefix="hkai-shots-") as root:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE", "REDIS"))
        }
        env.update(
            DJANGO_SECRET_KEY="screenshots-" + "s" * 50,
            DATABASE_URL=f"sqlite:///{root}/db.sqlite3",
            DJANGO_STATIC_ROOT=f"{root}/static",
            PORT=str(free_port()),
            WEB_CONCURRENCY="2",
        )
        editor = ["createsuperuser", "--noinput", "--username", EDITOR, "--email", "e@hkai.test"]
        sample = ["shell", "-c", "from devtools.generator import add_chinese_sample as a; a()"]
        commands = (
            *(["migrate", "--noinput"], ["load_seed"], sample),
            *(["collectstatic", "--noinput"], editor),
        )
        for command in commands:
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=BASE_DIR,
                env={**env, "DJANGO_SUPERUSER_PASSWORD": EDITOR_PASSWORD},
                check=True,
                stdout=subprocess.DEVNULL,
            )
        log = open(f"{root}/gunicorn.log", "w")
        server = subprocess.Popen(
            [GUNICORN, "-c", "gunicorn.conf.py", "hkai_site.wsgi"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        port = int(env["PORT"])
        try:
            deadline = time.monotonic() + 30
            while not healthy(port):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start:\n" + Path(log.name).read_text())
                time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()


def shoot(browser, base_url, out_dir, size, name, path, scheme="light"):
    context = browser.new_context(
        viewport=SIZES[size],
        color_scheme=scheme,
        locale="en-GB",
        reduced_motion="reduce",
    )
    page = context.new_page()
    page.goto(base_url + path)
    page.evaluate("document.fonts.ready")
    suffix = "" if scheme == "light" else f"-{scheme}"
    target = out_dir / f"{name}-{size}{suffix}.png"
    page.screenshot(path=target)
    context.close()
    return target


def shoot_editor(browser, base_url, out_dir):
    """The editing screen of a live article with draft changes, the preview at phone width."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 1000}, locale="en-GB", reduced_motion="reduce"
    )
    page = context.new_page()
    page.goto(base_url + "/admin/login/?next=/admin/articles/article/")
    page.get_by_label("Username").fill(EDITOR)
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role(
        "link", name="The Rise of Artificial Intelligence in Hong Kong", exact=False
    ).first.click()
    page.locator("#id_standfirst").fill("How the city is building its AI economy, in brief.")
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    page.frame_locator("iframe.editor-preview__frame").locator("h1").wait_for()
    targets = []
    target = out_dir / "admin-editing-desktop.png"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=target)
    targets.append(target)
    page.get_by_role("button", name="Phone (390 px)").click()
    page.locator(".editor-preview__bar").evaluate("e => e.scrollIntoView()")
    target = out_dir / "admin-preview-desktop.png"
    page.screenshot(path=target)
    targets.append(target)
    context.close()
    return targets


def main(out_dir):
    if not available():
        raise SystemExit(f"Chromium not found at {CHROMIUM}: run `python -m devtools.chromium`.")
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = []
    with seeded_site() as base_url, sync_playwright() as playwright:
        browser = launch(playwright)
        for size in SIZES:
            for name, path in PAGES:
                saved.append(shoot(browser, base_url, out_dir, size, name, path))
        for size, name in DARK:
            saved.append(shoot(browser, base_url, out_dir, size, name, dict(PAGES)[name], "dark"))
        saved += shoot_editor(browser, base_url, out_dir)
        browser.close()
    total = sum(path.stat().st_size for path in saved)
    for path in saved:
        print(f"{path.relative_to(BASE_DIR) if path.is_relative_to(BASE_DIR) else path}")
    print(f"{len(saved)} screenshots, {total / 1024:.0f} KiB in all")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else BASE_DIR / "docs" / "screenshots")
