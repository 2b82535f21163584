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
        assert Article(slug=slug).get_absolute_url() == reverse("articles:detail", args=[slug])
        assert links.tag(Tag(slug=slug)) == reverse("articles:tag", args=[slug])
        assert Person(slug=slug).get_absolute_url() == reverse("articles:author", args=[slug])
    assert Article(slug="a").get_absolute_url().startswith(script_prefix)


def test_a_month_is_the_one_its_time_falls_in_at_hong_kong(interface, script_prefix):
    # 23:30 UTC on 31 January is 07:30 on 1 February in Hong Kong.
    at = datetime.datetime(2026, 1, 31, 23, 30, tzinfo=datetime.UTC)
    assert links.month(at) == reverse("articles:archive_month", args=["2026", "02"])
    at = datetime.datetime(999, 12, 1, 12, tzinfo=HONG_KONG)
    assert links.month(at) == reverse("articles:archive_month", args=["0999", "12"])


# A URLconf of this test's own (below): the site's pages under /news/.
urlpatterns = [path("news/", include("articles.urls"))]


def test_a_changed_urlconf_changes_the_addresses():
    assert Article(slug="a").get_absolute_url() == "/articles/a/"  # the shape is remembered
    with override_settings(ROOT_URLCONF=__name__):
        assert Article(slug="a").get_absolute_url() == "/news/articles/a/"
        assert Article(slug="a").get_absolute_url() == reverse("articles:detail", args=["a"])
    assert Article(slug="a").get_absolute_url() == "/articles/a/"
