"""Date archives: /archive/<year>/ counts a year's articles by month, /archive/<year>/<month>/
lists a month's, each under the published rule, in Hong Kong time, never stale."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.helpers import texts, unchanged_state

HK = timezone.get_fixed_timezone(8 * 60)


def at(*args):
    return datetime.datetime(*args, tzinfo=HK)


def year_url(year):
    return reverse("articles:archive_year", args=[year])


def month_url(year, month):
    return reverse("articles:archive_month", args=[year, f"{month:02}"])


def months(client, year):
    """[(month label, count label, link)] as the year's page shows them."""
    page = BeautifulSoup(client.get(year_url(year)).content, "html.parser")
    return [
        (li.a.get_text(), li.span.get_text(), li.a["href"])
        for li in page.select(".archive-months li")
    ]


@pytest.fixture
def calendar(make_article):
    """Articles in three months of two years, with a draft and a scheduled one."""
    made = {
        "dec": make_article(title="December", published_at=at(2025, 12, 31, 23, 30)),
        "jan1": make_article(title="January one", published_at=at(2026, 1, 5, 9)),
        "jan2": make_article(title="January two", published_at=at(2026, 1, 20, 9)),
        # 31 January 20:00 in UTC is 1 February in Hong Kong: February's.
        "feb": make_article(title="February", published_at=at(2026, 2, 1, 4)),
    }
    make_article(title="Draft", status=Article.Status.DRAFT, published_at=at(2026, 1, 8))
    make_article(title="Scheduled", published_at=timezone.now() + datetime.timedelta(days=3))
    return made


def test_the_year_lists_its_months_with_their_articles(client, calendar):
    assert months(client, 2026) == [
        ("January 2026", "2 articles", month_url(2026, 1)),
        ("February 2026", "1 article", month_url(2026, 2)),
    ]
    assert months(client, 2025) == [("December 2025", "1 article", month_url(2025, 12))]
    page = client.get(year_url(2026))
    assert texts(page, "h1") == ["Articles from 2026"]
    assert texts(page, "a[rel=prev]") == ["2025 →"]
    assert texts(client.get(year_url(2025)), "a[rel=next]") == ["← 2026"]


def test_the_month_lists_its_articles_newest_first(client, calendar):
    page = client.get(month_url(2026, 1))
    assert page.status_code == 200
    assert texts(page, "h1") == ["Articles from January 2026"]
    assert texts(page, ".card__title") == ["January two", "January one"]
    assert texts(page, ".page__intro") == ["2 articles"]
    assert texts(client.get(month_url(2026, 2)), ".card__title") == ["February"]
    assert texts(client.get(month_url(2025, 12)), ".card__title") == ["December"]


def test_a_scheduled_article_joins_its_month_when_its_time_comes(client, make_article):
    now = timezone.now()
    make_article(title="Earlier", published_at=now - datetime.timedelta(minutes=1))
    make_article(title="Later", published_at=now + datetime.timedelta(minutes=5))
    local = timezone.localtime(now)
    url = month_url(local.year, local.month)
    assert texts(client.get(url), ".card__title") == ["Earlier"]  # and cached
    with time_machine.travel(now + datetime.timedelta(minutes=6)):
        assert texts(client.get(url), ".card__title") == ["Later", "Earlier"]
        assert months(client, local.year)[-1][1] == "2 articles"


def test_unpublishing_leaves_the_archive_at_once(client, calendar):
    assert months(client, 2026)[0][1] == "2 articles"  # cached now
    Article.objects.filter(pk=calendar["jan1"].pk).update(status=Article.Status.DRAFT)
    assert months(client, 2026)[0][1] == "1 article"
    assert texts(client.get(month_url(2026, 1)), ".card__title") == ["January two"]


def test_months_paginate_like_the_home_page(client, make_article):
    for day in range(1, 13):
        make_article(title=f"Day {day:02}", published_at=at(2026, 3, day, 12))
    first = client.get(month_url(2026, 3))
    assert texts(first, ".card__title") == [f"Day {day:02}" for day in range(12, 2, -1)]
    assert texts(first, ".pagination__current") == ["Page 1 of 2"]
    second = client.get(month_url(2026, 3), {"page": 2})
    assert texts(second, ".card__title") == ["Day 02", "Day 01"]
    for page in ("3", "0", "abc", "99999999999999999999"):
        assert client.get(month_url(2026, 3), {"page": page}).status_code == 404, page


@pytest.mark.parametrize(
    "path",
    [
        "/archive/2026/13/",
        "/archive/2026/00/",
        "/archive/2026/2/",  # one address per month: 02
        "/archive/0000/",
        "/archive/0000/01/",
        "/archive/1899/",
        "/archive/9999/12/",
        "/archive/99999/",
        "/archive/20x6/",
        "/archive/2027/",  # a year without articles
        "/archive/2026/03/",  # a month without articles
        "/archive/2024/01/",  # a draft's month
    ],
)
def test_bad_or_empty_archive_addresses_are_404(client, calendar, make_article, path):
    make_article(status=Article.Status.DRAFT, published_at=at(2024, 1, 10))
    assert client.get(path).status_code == 404


def test_a_month_of_only_scheduled_articles_is_404(client, make_article):
    later = timezone.now() + datetime.timedelta(days=400)
    make_article(published_at=later)
    local = timezone.localtime(later)
    assert client.get(month_url(local.year, local.month)).status_code == 404
    assert client.get(year_url(local.year)).status_code == 404


def test_article_dates_link_to_their_month(client, calendar):
    article = calendar["feb"]
    page = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    assert page.select_one(".article__meta a time").parent["href"] == month_url(2026, 2)
    home = BeautifulSoup(client.get("/").content, "html.parser")
    links = [time.parent["href"] for time in home.select(".card__meta time")]
    assert links[-4:] == [month_url(2026, 2), month_url(2026, 1), month_url(2026, 1)] + [
        month_url(2025, 12)
    ]


def test_archive_query_counts_are_flat(client, make_article, django_assert_num_queries):
    for day in range(1, 4):
        make_article(tags=["A"], published_at=at(2026, 4, day))
    # The year: the content state (page cache), then every month's count and the
    # nearest years, one statement.
    with django_assert_num_queries(2):
        assert client.get(year_url(2026)).status_code == 200
    # The month: its count, the page of articles, their tags, their bylines (and the content state
    # where nothing says it is unchanged: tests/helpers.py).
    with django_assert_num_queries(4 + unchanged_state()):
        assert client.get(month_url(2026, 4)).status_code == 200
    for n in range(30):
        make_article(tags=["B", f"T{n}"], published_at=at(2026, 4 + n % 3, 10, n % 24))
    make_article(published_at=at(2021, 1, 1))
    with django_assert_num_queries(2):
        assert client.get(year_url(2026)).status_code == 200
    with django_assert_num_queries(4 + unchanged_state()):
        assert client.get(month_url(2026, 4), {"page": 2}).status_code == 200


def test_archive_pages_are_served_from_the_page_cache(client, calendar, django_assert_num_queries):
    client.get(year_url(2026))
    client.get(month_url(2026, 1))
    with django_assert_num_queries(unchanged_state() * 2):
        assert client.get(year_url(2026)).status_code == 200
        assert client.get(month_url(2026, 1), {"utm_source": "x"}).status_code == 200


@pytest.mark.parametrize("year", [1900, 2001, 2025, 2026, 2200])
def test_the_year_statement_compiled_once_matches_a_fresh_one(db, year):
    from articles import archive

    start = archive.month_start(year, 1)
    times = [
        timezone.now(),
        start - datetime.timedelta(seconds=1),  # before the year
        start + datetime.timedelta(days=40),  # within it: later months not yet
        archive.month_start(year, 12) - archive.TICK,  # the last instant of November
        archive.month_start(year + 3, 1),  # after it
    ]
    for now in times:
        parts = archive._year_parts(year, now)
        fresh = "SELECT " + ", ".join(f"({sql})" for sql, _ in parts)
        params = [param for _, part_params in parts for param in part_params]
        assert archive._year_params(year, now) == (fresh, params), now
