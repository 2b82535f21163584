"""Counting the searches that found nothing, for Editors (admin: "Searches that found nothing").

A GET must not write (STYLE.md §13), but this count can only come from readers'
searches. It is written only when a search found nothing *and* its result was not in
the cache: the ranking is cached per content version for cache.SEARCH_TIMEOUT, and the
whole page too, so a query repeated within five minutes is one count. A count is
therefore "ran without an answer at hand N times", a floor of the number of readers,
which is what Editors need (what people look for and do not find); a page answered
from the cache never writes. The write is one upsert on its own small table (no trigger,
not content: the content version does not move) and one indexed delete of rows older
than RETENTION_DAYS; a failed write (a read-only replica, a locked file) is let go: the
reader still gets the page. Nothing about the reader is kept: the day and the query as
searched (normalised, at most MAX_QUERY_LENGTH characters).
"""

import datetime
import logging

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ..models import SearchMiss
from .text import CONTROL, MAX_QUERY_LENGTH

RETENTION_DAYS = 90
logger = logging.getLogger(__name__)


def normal_query(query):
    """The query as counted: control characters dropped, words single-spaced, folded to
    lower case, at most MAX_QUERY_LENGTH characters."""
    return " ".join(CONTROL.sub(" ", query).split()).casefold()[:MAX_QUERY_LENGTH].strip()


def record(query):
    """Count one search for `query` that found nothing, today (in the site's time zone)."""
    query = normal_query(query)
    if not query:
        return
    today = timezone.localdate()
    table = SearchMiss._meta.db_table
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (day, query, count) VALUES (%s, %s, 1) "
                "ON CONFLICT (day, query) DO UPDATE SET count = "
                f"{table}.count + 1",
                [connection.ops.adapt_datefield_value(today), query],
            )
            cursor.execute(
                f"DELETE FROM {table} WHERE day < %s",
                [connection.ops.adapt_datefield_value(today - datetime.timedelta(RETENTION_DAYS))],
            )
    except DatabaseError:
        logger.warning("could not count a search that found nothing", exc_info=True)
