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
