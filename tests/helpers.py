"""Helpers for driving the admin the way a browser does, for the clock, and for running
the checkout's Python in a process of its own."""

import contextlib
import os
import subprocess
import sys

from bs4 import BeautifulSoup
from django.conf import settings
from django.urls import reverse

from devtools.html_forms import form_fields


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


# The button an Editor presses to put changes to a live article live at once (a plain
# "Save" keeps them as draft changes); on an article that is not live it saves as usual.
PUBLISH = {"_publish_changes": "Publish changes"}


def form_data(response, *, publish=False):
    """The POST body a browser would send for the admin form as rendered; `publish`:
    with "Publish changes" pressed."""
    return {**form_fields(response.content.decode()), **(PUBLISH if publish else {})}


def texts(response, selector):
    page = BeautifulSoup(response.content.decode(), "html.parser")
    return [" ".join(e.get_text(" ", strip=True).split()) for e in page.select(selector)]


@contextlib.contextmanager
def clock_standing_at(when):
    """Python's clock stands at `when` until the test shifts it (time-machine), and the
    content version's time follows it: the database's triggers stamp changes with the
    database's own clock, which in production is the same as the site's, so after each
    write the stamp is set to the site's time."""
    import time

    import time_machine
    from django.db import connection

    def same_clock(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        words = sql.lstrip()[:6].upper()
        if words in ("INSERT", "UPDATE", "DELETE") and "articles_contentversion" not in sql:
            with context["connection"].cursor() as cursor:  # the statement's own keeps its rows
                cursor.execute(
                    "UPDATE articles_contentversion SET changed = %s", [int(time.time())]
                )
        return result

    with time_machine.travel(when, tick=False) as traveller, connection.execute_wrapper(same_clock):
        yield traveller


def unchanged_state():
    """Queries a request spends on the content state when nothing was written since the
    last request read it: none on SQLite, whose own change counter says so
    (articles/cache.py); one on PostgreSQL inside a test's transaction, where changes
    are not committed and so never announced (outside one, none there too)."""
    from django.db import connection

    return 0 if connection.vendor == "sqlite" else 1


def run_python(*args, env=None, drop=("DJANGO_", "DATABASE"), timeout=120):
    """Run `python *args` (a script and its arguments, or "-c" and code) in the checkout,
    in a fresh process whose environment is this one's without the variables whose names
    start with one of `drop`, and with `env` set. Returns the CompletedProcess, with its
    output captured as text."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def picture_bytes(size=(2000, 1500), format="JPEG", mode="RGB", exif=None, seed=0, **save):
    """A synthetic picture drawn with Pillow (bands of colour, a diagonal, a dot at the
    top left; `seed` moves the dot), encoded as `format`: tests never ship image files."""
    import io

    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new(mode, size, (40, 120, 200, 255)[: len(mode)] if mode != "L" else 120)
    draw = ImageDraw.Draw(image)
    for x in range(0, width, max(1, width // 12)):
        draw.rectangle((x, 0, x + width // 24, height), fill=(220, 80, 40, 255)[: len(mode)])
    draw.line(
        (0, 0, width, height), fill=(250, 250, 250, 255)[: len(mode)], width=max(1, width // 100)
    )
    dot, shift = width // 10, (seed * 7) % max(1, width - width // 10)
    draw.ellipse((shift, 0, shift + dot, dot), fill=(0, 0, 0, 255)[: len(mode)])
    out = io.BytesIO()
    if exif is not None:
        save["exif"] = exif
    image.save(out, format, **save)
    return out.getvalue()


def card_crops_before_and_after_moving_the_focal_point(size):
    """(names before, names after) of a wide image's card crops when its focal point
    moves from the left edge to the right."""
    from articles import images

    image = images.ingest(picture_bytes(size), alt_text="Wide", focal_x=0.0)
    before = {r["name"] for r in image.renditions if r["kind"] == "card"}
    image.focal_x = 1.0
    images.recrop(image)
    return before, {r["name"] for r in image.renditions if r["kind"] == "card"}
