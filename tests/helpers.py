"""Helpers for driving the admin the way a browser does, and for the clock."""

import contextlib

from bs4 import BeautifulSoup
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
