"""The front page: published articles, newest first, ten a page."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import dateformat, timezone

from tests.helpers import unchanged_state


def titles(response):
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return [h.get_text(strip=True) for h in soup.select("article.card h2")]


def test_newest_first_with_date_standfirst_and_tags(client, make_article):
    now = timezone.now()
    make_article(title="Older", published_at=now - datetime.timedelta(days=2), tags=["Finance"])
    newer = make_article(
        title="Newer",
        standfirst="Banks try generative AI.",
        published_at=now - datetime.timedelta(days=1),
        tags=["Hong Kong"],
    )
    response = client.get(reverse("articles:list"))
    assert response.status_code == 200
    assert titles(response) == ["Newer", "Older"]
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    card = soup.select_one("article.card")
    shown = dateformat.format(timezone.localtime(newer.published_at), "j F Y")
    assert card.select_one("time").get_text() == shown
    assert "Banks try generative AI." in card.get_text()
    assert card.select_one("a.tag")["href"] == reverse("articles:tag", args=["hong-kong"])


def test_ten_per_page_with_links_between_pages(client, make_article):
    now = timezone.now()
    for n in range(12):
        make_article(title=f"Story {n:02}", published_at=now - datetime.timedelta(hours=n + 1))
    first = client.get(reverse("articles:list"))
    assert titles(first) == [f"Story {n:02}" for n in range(10)]
    assert 'href="?page=2"' in first.content.decode()
    second = client.get(reverse("articles:list"), {"page": 2})
    assert titles(second) == ["Story 10", "Story 11"]
    assert 'href="?page=1"' in second.content.decode()
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999999", "1.5", "9" * 400, "%00", "last'--"])
def test_bad_page_numbers_are_404(client, make_article, page):
    make_article()
    response = client.get(reverse("articles:list"), {"page": page})
    assert response.status_code == 404
    assert b"Traceback" not in response.content
    assert b"Page not found" in response.content


def test_empty_site_says_so(client, db):
    response = client.get(reverse("articles:list"))
    assert response.status_code == 200
    assert b"No articles have been published yet." in response.content


def test_list_query_count_is_flat(client, make_article, django_assert_num_queries):
    for _ in range(5):
        make_article(tags=["Finance", "Hong Kong"])
    # The content version (page cache), COUNT for the paginator, the page of articles,
    # one prefetch of tags, one of bylines with their people, the pinned leads (none: no
    # prefetch for them; with some, tests/test_leads.py). A later page has no leads (nor,
    # nothing written since, the content version on SQLite).
    with django_assert_num_queries(6):
        client.get(reverse("articles:list"))
    for n in range(30):
        make_article(tags=["Regulation", f"Topic {n}"], sections=[("A", "a"), ("B", "b")] * 2)
    with django_assert_num_queries(6):
        client.get(reverse("articles:list"))
    with django_assert_num_queries(4 + unchanged_state()):
        client.get(reverse("articles:list"), {"page": 2})


def test_deep_pages_list_the_right_articles(client, make_article, monkeypatch):
    from articles.views import VersionedPaginator

    now = timezone.now()
    for n in range(25):
        make_article(title=f"Deep {n:02}", published_at=now - datetime.timedelta(hours=n + 1))
    monkeypatch.setattr(VersionedPaginator, "DEEP", 0)  # the ids-first path from page 1
    pages = [titles(client.get(reverse("articles:list"), {"page": p})) for p in (1, 2, 3)]
    again = titles(client.get(reverse("articles:list"), {"page": 3}))
    assert pages == [
        [f"Deep {n:02}" for n in range(0, 10)],
        [f"Deep {n:02}" for n in range(10, 20)],
        [f"Deep {n:02}" for n in range(20, 25)],
    ]
    assert again == pages[2]


def kept_months():
    from articles.models import MonthCount

    return dict(MonthCount.objects.filter(articles__gt=0).values_list("month", "articles"))


def counted_months():
    """Each month's live articles with a time, counted from scratch (UTC months)."""
    from articles.models import Article

    found = {}
    for at in Article.objects.filter(status="published", published_at__isnull=False).values_list(
        "published_at", flat=True
    ):
        at = at.astimezone(datetime.UTC)
        found[at.year * 100 + at.month] = found.get(at.year * 100 + at.month, 0) + 1
    return found


@pytest.fixture
def months_of_articles(make_article):
    """Articles over fifteen months: ties, a scheduled one, expired ones, one without a
    time, a draft; then moved between months and unpublished by QuerySet.update()."""
    from articles.models import Article

    now = timezone.now()
    for n in range(44):
        make_article(title=f"Story {n:02}", published_at=now - datetime.timedelta(days=10 * n + 1))
    tie = now - datetime.timedelta(days=95)
    for n in range(3):
        make_article(title=f"Tie {n}", published_at=tie)
    make_article(title="Scheduled", published_at=now + datetime.timedelta(days=40))
    for n in range(2):
        make_article(
            title=f"Expired {n}",
            published_at=now - datetime.timedelta(days=31 * n + 3),
            expires_at=now - datetime.timedelta(hours=1),
        )
    make_article(title="Undated", published_at=None)
    make_article(title="Draft", status=Article.Status.DRAFT, published_at=now)
    Article.objects.filter(title="Story 03").update(published_at=now - datetime.timedelta(days=200))
    Article.objects.filter(title="Story 30").update(status=Article.Status.DRAFT)
    Article.objects.filter(title="Draft").update(status=Article.Status.PUBLISHED)
    Article.objects.filter(title="Story 07").delete()


def test_the_database_keeps_each_months_count(months_of_articles):
    assert kept_months() == counted_months()
    assert len(kept_months()) >= 15


def test_every_page_found_from_the_months_is_the_plain_lists(
    client, months_of_articles, monkeypatch
):
    from articles.models import Article
    from articles.views import VersionedPaginator

    shown = list(Article.objects.published().values_list("title", flat=True))
    assert "Scheduled" not in shown and "Expired 0" not in shown and "Tie 2" in shown
    monkeypatch.setattr(VersionedPaginator, "DEEP", 0)  # every page from the months
    pages = [shown[n : n + 10] for n in range(0, len(shown), 10)]
    for number, expected in enumerate(pages, start=1):
        assert titles(client.get(reverse("articles:list"), {"page": number})) == expected
    assert client.get(reverse("articles:list"), {"page": len(pages) + 1}).status_code == 404


def test_a_deep_pages_query_count_does_not_grow_with_its_depth(
    client, months_of_articles, monkeypatch, django_assert_num_queries
):
    from articles.views import VersionedPaginator

    monkeypatch.setattr(VersionedPaginator, "DEEP", 0)
    client.get(reverse("articles:list"), {"page": 1})
    # The count, the months' kept counts, their waiting articles, the page's ids in its
    # month, the page of articles, one prefetch of tags, one of bylines.
    for number in (2, 5):
        with django_assert_num_queries(7 + unchanged_state()):
            client.get(reverse("articles:list"), {"page": number})


def test_a_deep_page_skips_no_more_than_its_own_months_articles(client, make_article, monkeypatch):
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.views import VersionedPaginator

    now = timezone.now()
    for n in range(60):  # two a month, five months a page
        make_article(title=f"Story {n:02}", published_at=now - datetime.timedelta(days=15 * n + 1))
    monkeypatch.setattr(VersionedPaginator, "DEEP", 0)
    with CaptureQueriesContext(connection) as captured:
        shown = titles(client.get(reverse("articles:list"), {"page": 5}))
    assert shown == [f"Story {n:02}" for n in range(40, 50)]
    # With OFFSET 40 the database read the forty articles before the page; from the
    # months' counts it starts at the page's own month (at most one article before).
    skipped = [int(n) for q in captured for n in re.findall(r"OFFSET (\d+)", q["sql"])]
    assert skipped and max(skipped) <= 1, skipped
