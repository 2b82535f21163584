"""Prepared queries (articles/prepared.py) give what their querysets give, on both
engines; the loaders built on them (articles/loading.py) read a fixed number of queries."""

import datetime

import pytest
from django.db.models import Count
from django.utils import timezone

from articles import bylines, loading
from articles.models import Article, Byline, Person, Section
from articles.prepared import Prepared

pytestmark = pytest.mark.django_db


def _fields(objects):
    """Every concrete field of each object, and of the objects it holds."""
    out = []
    for obj in objects:
        row = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
        for name in ("tag", "person"):
            if name in obj._state.fields_cache:
                related = obj._state.fields_cache[name]
                row[name] = {
                    f.attname: getattr(related, f.attname) for f in related._meta.concrete_fields
                }
        out.append(row)
    return out


@pytest.fixture
def stories(make_article):
    made = [
        make_article(tags=["Logistics", "Hong Kong"]),
        make_article(tags=["Fintech"], sections=[("", "One."), ("Two", "2"), ("Three", "3")]),
        make_article(),
    ]
    amy = Person.objects.create(name="Amy Chan", slug="amy-chan")
    bo = Person.objects.create(name="Bo Li", slug="bo-li")
    bylines.set_bylines(made[0], [amy, bo])
    bylines.set_bylines(made[1], [bo])
    return made


@pytest.mark.parametrize(
    "prepared,queryset",
    [
        (loading.TAGGINGS, lambda ids: loading._taggings(ids).order_by("tag__name", "tag_id")),
        (
            loading.BYLINES,
            lambda ids: Byline.objects.filter(article_id__in=ids).select_related("person"),
        ),
        (loading.SECTIONS, lambda ids: Section.objects.filter(article_id__in=ids)),
    ],
    ids=["topics", "bylines", "sections"],
)
def test_a_prepared_query_gives_its_querysets_rows_for_any_number_of_ids(
    stories, prepared, queryset
):
    ids = [story.pk for story in stories]
    for chosen in ([ids[0]], ids[:2], ids, [ids[2], ids[0]], [-1]):
        expected = _fields(queryset(chosen))
        assert _fields(prepared(chosen)) == expected
    assert _fields(prepared(ids)), "the stories have rows to compare"


def test_a_prepared_query_takes_datetimes_and_keeps_annotations(make_article):
    now = timezone.now()
    old = make_article(published_at=now - datetime.timedelta(days=3), tags=["A", "B"])
    make_article(published_at=now - datetime.timedelta(hours=1), tags=["A"])

    def published_before(when):
        return (
            Article.objects.filter(published_at__lt=when)
            .annotate(topics=Count("tagged_items"))
            .order_by("pk")
        )

    before = Prepared(published_before, datetime.datetime(2001, 2, 3, 4, 5, 6, 789, datetime.UTC))
    day_ago = now - datetime.timedelta(days=1)
    assert [(a.pk, a.topics, a.published_at) for a in before(day_ago)] == [
        (old.pk, 2, old.published_at)
    ]
    assert len(before(now)) == 2
    assert [a.title for a in before(now)] == [a.title for a in published_before(now)]


def test_a_prepared_query_compiles_once_per_shape(stories):
    built = []

    def sections(ids):
        built.append(len(ids))
        return Section.objects.filter(article_id__in=ids)

    prepared = Prepared(sections, [-7_654_321])
    ids = [story.pk for story in stories]
    for _ in range(3):
        prepared(ids[:1])
        prepared(ids)
    assert built == [1, 3]


def test_a_stand_in_missing_from_the_sql_or_a_prefetch_is_refused(stories):
    ignored = Prepared(lambda ids: Section.objects.all(), [-7_654_321])
    with pytest.raises(ValueError, match="not in its SQL"):
        ignored([stories[0].pk])
    prefetching = Prepared(
        lambda ids: Article.objects.filter(pk__in=ids).prefetch_related("tags"), [-7_654_321]
    )
    with pytest.raises(ValueError, match="its own rows only"):
        prefetching([stories[0].pk])


def test_cards_load_topics_and_bylines_in_two_queries(stories, django_assert_num_queries):
    articles = list(Article.objects.filter(pk__in=[s.pk for s in stories]).order_by("pk"))
    with django_assert_num_queries(2):
        loading.cards(articles)
    with django_assert_num_queries(0):
        loading.cards([])
        shown = [
            ([t.name for t in a.card_tags], [b.person.name for b in a.card_bylines])
            for a in articles
        ]
    assert shown == [
        (["Hong Kong", "Logistics"], ["Amy Chan", "Bo Li"]),
        (["Fintech"], ["Bo Li"]),
        ([], []),
    ]


def test_an_articles_parts_load_in_three_queries_and_read_as_its_managers(
    stories, django_assert_num_queries
):
    article = Article.objects.get(pk=stories[1].pk)
    with django_assert_num_queries(3):
        loading.article_parts(article)
    with django_assert_num_queries(0):
        headings = [s.heading for s in article.sections.all()]
        topics = [t.name for t in article.tags.all()]
        people = [b.person.name for b in article.bylines.all()]
        assert all(s.article is article for s in article.sections.all())
    assert headings == ["", "Two", "Three"]
    assert topics == ["Fintech"]
    assert people == ["Bo Li"]
    # What the loaded managers give is what they read unloaded.
    fresh = Article.objects.get(pk=stories[1].pk)
    assert [s.heading for s in fresh.sections.all()] == headings
    assert [t.name for t in fresh.tags.all()] == topics


def test_the_prepared_published_count_is_the_published_articles_at_any_time(make_article):
    from articles.models import published_count

    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    make_article(published_at=now - 2 * hour)
    make_article(published_at=now - 2 * hour, expires_at=now + hour)  # expires
    make_article(published_at=now + 3 * hour)  # scheduled
    make_article(status=Article.Status.DRAFT, published_at=None)
    counts = []
    for when in (now - 3 * hour, now, now + 2 * hour, now + 4 * hour):
        counts.append(published_count(now=when))
        assert counts[-1] == Article.objects.published(now=when).count(), when
    assert counts == [0, 2, 1, 2]
    assert published_count() == 2
