"""Debian's Chromium for the browser tests and `make screenshots`; no browser download.

    python tests/chromium.py

installs Debian's `chromium` package when the browser is missing and this runs as root
(`make test` and `make screenshots` call it first). It never fails: without Chromium
the browser tests are skipped with a loud message, except under CI=true, where they fail.
"""

import os
import sys

from devtools.services import apt_install, can_install

# CHROMIUM points elsewhere on machines that keep the browser in another place.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def say(message):
    print(f"\n*** Chromium: {message} ***\n", file=sys.stderr, flush=True)


def available():
    return os.access(CHROMIUM, os.X_OK)


def launch(playwright):
    """A headless Chromium from CHROMIUM, driven by Playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


# Chinese text in the screenshots and browser tests is drawn with Noto CJK (Debian's
# fonts-noto-cjk), as a reader's system draws it with its own CJK fonts; without them
# Chromium shows boxes.
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def install_cjk_fonts():
    if os.path.exists(CJK_FONT) or not can_install():
        return
    say("Noto CJK fonts not found; installing Debian's fonts-noto-cjk")
    apt_install("fonts-noto-cjk")


def install():
    install_cjk_fonts()
    if available():
        return
    if not can_install():
        say(f"{CHROMIUM} not found and not root: the browser tests will be skipped")
        return
    say(f"{CHROMIUM} not found; installing Debian's chromium package")
    apt_install("chromium")
    if not available():
        say(f"installing chromium failed: the browser tests will be skipped ({CHROMIUM})")


if __name__ == "__main__":
    install()
