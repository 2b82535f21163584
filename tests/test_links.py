"""The addresses templates link many times (articles/links.py) are reverse()'s own, in
every interface and under a script prefix."""

import datetime

import pytest
from django.test import override_settings
from django.urls import include, path, reverse, set_script_prefix
from django.utils import timezone, translation
from taggit.models import Tag

from articles import links
from articles.models import Article, Person

SLUGS = ["fintech", "ai-policy_2", "人工智能", "網絡安全", "ça-va", "x" * 200]
HONG_KONG = timezone.get_fixed_timezone(8 * 60)


@pytest.fixture(params=["en", "zh-hant", "zh-hans"])
def interface(request):
    with translation.override(request.param):
        yield request.param


@pytest.fixture(params=["/", "/news/"])
def script_prefix(request):
    set_script_prefix(request.param)
    yield request.param
    set_script_prefix("/")


def test_each_address_is_reverses(interface, script_prefix):
    for slug in SLUGS:
        assert links.article(Article(slug=slug)) == reverse("articles:detail", args=[slug])
        assert links.tag(Tag(slug=slug)) == reverse("articles:tag", args=[slug])
        assert links.person(Person(slug=slug)) == reverse("articles:author", args=[slug])
    assert links.article(Article(slug="a")).startswith(script_prefix)


def test_a_month_is_the_one_its_time_falls_in_at_hong_kong(interface, script_prefix):
    # 23:30 UTC on 31 January is 07:30 on 1 February in Hong Kong.
    at = datetime.datetime(2026, 1, 31, 23, 30, tzinfo=datetime.UTC)
    assert links.month(at) == reverse("articles:archive_month", args=["2026", "02"])
    at = datetime.datetime(999, 12, 1, 12, tzinfo=HONG_KONG)
    assert links.month(at) == reverse("articles:archive_month", args=["0999", "12"])


# A URLconf of this test's own (below): the site's pages under /news/.
urlpatterns = [path("news/", include("articles.urls"))]


def test_a_changed_urlconf_changes_the_addresses():
    assert links.article(Article(slug="a")) == "/articles/a/"  # the shape is remembered
    with override_settings(ROOT_URLCONF=__name__):
        assert links.article(Article(slug="a")) == "/news/articles/a/"
        assert links.article(Article(slug="a")) == reverse("articles:detail", args=["a"])
    assert links.article(Article(slug="a")) == "/articles/a/"
