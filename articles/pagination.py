"""Where a deep page of a list starts, without skipping every article before it.

The list, or a topic's, is `published()` newest first (ties by id). Page N's first
article is the (N - 1) × 10th: found with OFFSET, the database reads every article
before it, about 10 ms at page 5,000 of 100,000 articles and growing with the depth.
Database triggers keep each month's number of articles in the live state (UTC months:
`MonthCount`, and per tag `TopicMonthCount`; articles/triggers.py); what readers see
of a month is that less its waiting articles (scheduled or expired: `waiting_q`, a few
ranges of their indexes, as `published_count()` reads them). Summing the months newest
first finds the month the page starts in and how many of its articles come before, and
the page is that short range of the (status, published_at, id) index: the same
articles, in the same order, as OFFSET gives.
"""

import datetime

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import (
    Article,
    MonthCount,
    TaggedArticle,
    TopicMonthCount,
    expired_q,
    published_q,
    waiting_q,
)

TICK = datetime.timedelta(microseconds=1)  # the smallest step of a stored time


def month_key(moment):
    """MonthCount.month of a time: YYYYMM in UTC, as the triggers compute it."""
    moment = moment.astimezone(datetime.UTC)
    return moment.year * 100 + moment.month


def month_end(key):
    """The first instant (UTC) after month `key`."""
    year, month = divmod(key, 100)
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime.datetime(year, month, 1, tzinfo=datetime.UTC)


def waiting_by_month(now, tag=None):
    """{month: how many of its live articles (with `tag`) readers cannot see at `now`};
    one query."""
    dated = Article.objects.filter(waiting_q(now=now), published_at__isnull=False)
    if tag is not None:
        # Each waiting article asked for the tag: joined, SQLite read the tag's every
        # tagging first (27 ms for a topic of 53,740 articles at 100,000).
        tagged = TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag=tag)
        dated = dated.filter(Exists(tagged))
    rows = (
        dated.annotate(month=TruncMonth("published_at", tzinfo=datetime.UTC))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    return {month_key(month): n for month, n in rows}


def start_of(offset, now, tag=None):
    """(the month the page's first article is in, how many of the list's articles in it
    come before that one), or None past the end; two queries whatever the offset."""
    hidden = waiting_by_month(now, tag)
    if tag is None:
        months = MonthCount.objects.all()
    else:
        months = TopicMonthCount.objects.filter(tag=tag)
    before = 0
    kept = months.filter(articles__gt=0).order_by("-month").values_list("month", "articles")
    for month, live in kept:
        shown = live - hidden.get(month, 0)
        if before + shown > offset:
            return month, offset - before
        before += shown
    return None


def published_ids(offset, limit, now=None, tag=None):
    """The ids of `Article.objects.published()[offset:offset + limit]` (of those with
    `tag`, if given), in its order: three queries, each reading a month's articles at
    most."""
    now = timezone.now() if now is None else now
    found = start_of(offset, now, tag)
    if found is None:
        return []
    month, skipped = found
    # Published by the month's end (or now, if sooner) and not expired now: the
    # published rule with one bound on the time, so that the index range starts there
    # (given "before the end" and "before now" apart, SQLite bounds it by the later).
    bound = min(now, month_end(month) - TICK)
    articles = Article.objects.filter(published_q(now=bound) & ~expired_q(now=now))
    if tag is not None:
        articles = articles.filter(tagged_items__tag=tag)
    articles = articles.order_by("-published_at", "-pk").values_list("pk", flat=True)
    return list(articles[skipped : skipped + limit])
