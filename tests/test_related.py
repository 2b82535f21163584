"""An article's previous and next articles: the statements compiled once
(articles/related.py) find what the querysets they were compiled from find."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import related
from articles.models import Article


def by_querysets(article, now):
    older, newer = related.neighbour_querysets(article.published_at, article.pk, now=now)
    return [next(iter(older), None), next(iter(newer), None)]


def test_the_compiled_neighbours_are_the_querysets_on_every_kind_of_article(make_article):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    tie = now - 5 * hour
    made = [
        make_article(title="Oldest", published_at=now - 9 * hour),
        make_article(title="Tie one", published_at=tie),
        make_article(title="Tie two", published_at=tie),
        make_article(title="Tie three", published_at=tie),
        make_article(title="Expired", published_at=now - 4 * hour, expires_at=now - hour),
        make_article(title="Draft", status=Article.Status.DRAFT),
        make_article(title="Newest", published_at=now - 2 * hour),
        make_article(title="Scheduled", published_at=now + hour),
    ]
    for article in Article.objects.published():
        found = related.neighbours(article, now=now)
        shown = [found["previous_article"], found["next_article"]]
        assert shown == by_querysets(article, now), article.title
    neighbours = related.neighbours(Article.objects.get(title="Tie two"), now=now)
    assert neighbours["previous_article"].title == "Tie one"
    assert neighbours["next_article"].title == "Tie three"
    newest = related.neighbours(made[6], now=now)
    assert newest["previous_article"].title == "Tie three"  # past the expired one
    assert newest["next_article"] is None  # the scheduled one is not out yet
    assert related.neighbours(made[0], now=now)["previous_article"] is None
    later = related.neighbours(made[6], now=now + 2 * hour)  # its time has come
    assert later["next_article"].title == "Scheduled"


def test_two_queries_and_only_the_fields_a_link_needs(make_article):
    now = timezone.now()
    first = make_article(published_at=now - datetime.timedelta(hours=3))
    middle = make_article(published_at=now - datetime.timedelta(hours=2))
    last = make_article(published_at=now - datetime.timedelta(hours=1))
    with CaptureQueriesContext(connection) as queries:
        found = related.neighbours(middle)
    assert len(queries) == 2
    assert (found["previous_article"], found["next_article"]) == (first, last)
    assert found["next_article"].get_deferred_fields() >= {"standfirst", "status"}
