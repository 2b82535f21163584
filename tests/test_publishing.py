"""`published()` is the one rule for what the public sees; `is_published` agrees with it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article

NOW = timezone.now()
CASES = [
    ("published in the past", Article.Status.PUBLISHED, NOW - datetime.timedelta(days=1), True),
    ("scheduled", Article.Status.PUBLISHED, NOW + datetime.timedelta(days=1), False),
    ("published without a time", Article.Status.PUBLISHED, None, False),
    ("draft with a past time", Article.Status.DRAFT, NOW - datetime.timedelta(days=1), False),
    ("draft", Article.Status.DRAFT, None, False),
]


@pytest.mark.parametrize("name, status, published_at, visible", CASES, ids=[c[0] for c in CASES])
def test_published_and_is_published_agree(
    make_article, client, name, status, published_at, visible
):
    article = make_article(status=status, published_at=published_at)
    assert article.is_published is visible
    assert Article.objects.published().filter(pk=article.pk).exists() is visible
    detail = client.get(article.get_absolute_url())
    assert detail.status_code == (200 if visible else 404)
    listing = client.get(reverse("articles:list")).content.decode()
    assert (article.title in listing) is visible


def test_scheduled_article_appears_when_its_time_comes(make_article, client):
    article = make_article(published_at=timezone.now() + datetime.timedelta(seconds=1))
    assert client.get(article.get_absolute_url()).status_code == 404
    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get(article.get_absolute_url()).status_code == 200
