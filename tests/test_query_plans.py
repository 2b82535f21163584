"""Pages rendered with nothing cached read what they show off an index: no query walks
every published article to find a few (SQLite's plans, which do not depend on the
number of rows: it keeps no statistics here, so a test database plans as one of
100,000 articles does)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import bylines
from articles.models import LeadStory, Person

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's plans; PostgreSQL chooses by statistics"
)


def plans_of(client, path):
    """[(sql, plan)] of each query the page at `path` runs."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    found = []
    with connection.cursor() as cursor:
        for query in captured:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            found.append((query["sql"], "\n".join(row[-1] for row in cursor.fetchall())))
    return found


def test_an_article_page_looks_its_translations_up_by_their_index(client, make_article):
    make_article(slug="original")
    (sql, plan), *_ = [(s, p) for s, p in plans_of(client, "/articles/original/") if "EXISTS" in s]
    # The article by its slug, then its translations by theirs: at 100,000 articles the
    # published rule in the subquery walked every published article (43 ms a page).
    assert "USING INDEX sqlite_autoindex_articles_article_1 (slug=?)" in plan, plan
    assert "translation_of_id=?" in plan and "article_published_order" not in plan, plan


def test_the_home_page_reads_its_pinned_articles_from_the_pins(client, make_article):
    make_article(slug="older")
    LeadStory.objects.create(position=1, article=make_article(slug="pinned"))
    make_article(slug="newer")
    plans = [(s, p) for s, p in plans_of(client, "/") if "articles_leadstory" in s]
    assert len(plans) == 1, plans
    sql, plan = plans[0]
    # The pins first (at most three), each article by its id: joined from the
    # articles, SQLite walked every published article for them (40 ms at 100,000).
    assert plan.splitlines()[0].startswith("SCAN articles_leadstory"), plan
    assert "SEARCH articles_article USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
    assert "article_published_order" not in plan, plan


def test_an_author_page_counts_their_articles_from_their_bylines(client, make_article):
    amy = Person.objects.create(name="Amy Wong", slug="amy-wong")
    bylines.set_bylines(make_article(slug="signed"), [amy])
    make_article(slug="unsigned")
    plans = [(s, p) for s, p in plans_of(client, "/authors/amy-wong/") if "COUNT(" in s.upper()]
    assert len(plans) == 1, plans
    sql, plan = plans[0]
    # The person's bylines first, each article by its id: from the published articles
    # joined to the bylines, SQLite walked every published article (40 ms at 100,000).
    assert plan.splitlines()[0].startswith("SEARCH articles_byline USING COVERING INDEX"), plan
    assert "person_id=?" in plan, plan
    assert "USING INTEGER PRIMARY KEY (rowid=?)" in plan.splitlines()[-1], plan
    assert "article_published_order" not in plan, plan


def test_a_deep_topic_page_finds_its_waiting_articles_off_their_indexes(
    client, make_article, monkeypatch
):
    from articles.views import VersionedPaginator

    for _ in range(12):
        make_article(tags=["Finance"])
    monkeypatch.setattr(VersionedPaginator, "DEEP", 0)  # the kept months from page 1
    plans = [(s, p) for s, p in plans_of(client, "/tags/finance/?page=2") if "trunc" in s]
    assert len(plans) == 1, plans
    sql, plan = plans[0]
    # The waiting articles' ranges, each asked for the tag: joined, SQLite read the
    # topic's every tagging first (27 ms for a topic of 53,740 articles at 100,000).
    assert plan.splitlines()[0] == "MULTI-INDEX OR", plan
    assert "tagged_article_by_tag" not in plan, plan
