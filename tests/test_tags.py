"""Tag pages and the topic index: only published articles count."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from articles.models import Article, TaggedArticle


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def test_tag_index_lists_tags_in_use_with_published_counts(client, make_article):
    make_article(tags=["Finance", "Hong Kong"])
    make_article(tags=["Finance"])
    make_article(tags=["Finance", "Drafts only"], status=Article.Status.DRAFT)
    page = soup(client.get(reverse("articles:tag_index")))
    rows = [" ".join(li.get_text(" ", strip=True).split()) for li in page.select(".topic-list li")]
    assert rows == ["Finance 2 articles", "Hong Kong 1 article"]
    assert page.select_one(".topic-list a")["href"] == reverse("articles:tag", args=["finance"])


def test_tag_page_lists_only_that_tags_published_articles(client, make_article):
    make_article(title="About finance", tags=["Finance"])
    make_article(title="About health", tags=["Healthcare"])
    make_article(title="Finance draft", tags=["Finance"], status=Article.Status.DRAFT)
    response = client.get(reverse("articles:tag", args=["finance"]))
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text() == "Finance"
    assert [h.get_text(strip=True) for h in page.select("article.card h2")] == ["About finance"]
    assert "1 article" in page.select_one(".page__intro").get_text()


def test_tag_page_is_paginated(client, make_article):
    for _ in range(11):
        make_article(tags=["Finance"])
    url = reverse("articles:tag", args=["finance"])
    assert len(soup(client.get(url)).select("article.card")) == 10
    assert len(soup(client.get(url, {"page": 2})).select("article.card")) == 1
    assert client.get(url, {"page": 3}).status_code == 404
    assert client.get(url, {"page": "x"}).status_code == 404


@pytest.mark.parametrize("slug", ["no-such-tag", "x" * 300, "%E2%80%AE"])
def test_unknown_tags_are_404(client, db, slug):
    assert client.get(f"/tags/{slug}/").status_code == 404


def test_chinese_tag_has_a_working_page(client, make_article):
    make_article(title="Chinese tag", tags=["人工智能"])
    tag = TaggedArticle.objects.get().tag
    assert tag.slug == "人工智能"
    response = client.get(reverse("articles:tag", args=[tag.slug]))
    assert response.status_code == 200
    assert "Chinese tag" in response.content.decode()


def test_tag_through_model_joins_on_an_integer_foreign_key():
    field = TaggedArticle._meta.get_field("content_object")
    assert field.related_model is Article
    assert field.get_internal_type() == "ForeignKey"


def test_tag_page_query_count_is_flat(client, make_article, django_assert_num_queries):
    for _ in range(3):
        make_article(tags=["Finance", "Other"])
    url = reverse("articles:tag", args=["finance"])
    # The content state (page cache), the tag, its kept count and its waiting
    # (scheduled) articles for the paginator, the page of articles, a prefetch of tags,
    # one of bylines with their people.
    with django_assert_num_queries(7):
        client.get(url)
    for n in range(30):
        make_article(tags=["Finance", f"T{n}", f"U{n}"])
    with django_assert_num_queries(7):
        client.get(url)


def test_tag_index_query_count_is_flat(client, make_article, django_assert_num_queries):
    make_article(tags=["A", "B"])
    # The content state (page cache), the waiting (scheduled) articles' tags, one
    # annotated query for every tag and its kept count.
    with django_assert_num_queries(3):
        client.get(reverse("articles:tag_index"))
    for n in range(30):
        make_article(tags=[f"T{n}", "A"])
    with django_assert_num_queries(3):
        response = client.get(reverse("articles:tag_index"))
    assert len(soup(response).select(".topic-list li")) == 32


def test_tags_without_letters_get_a_usable_slug_and_pages_still_work(client, make_article):
    article = make_article(title="Robots", tags=["🤖", "!!!", "Robots"])
    slugs = sorted(article.tags.values_list("slug", flat=True))
    assert slugs[0] == "robots"
    assert all(slug.startswith("tag-") and len(slug) == 14 for slug in slugs[1:])
    for url in ["/", "/tags/", article.get_absolute_url()]:
        assert client.get(url).status_code == 200, url
    emoji = article.tags.get(name="🤖")
    assert "Robots" in client.get(reverse("articles:tag", args=[emoji.slug])).content.decode()


def test_a_tag_used_only_on_drafts_is_404(client, make_article):
    make_article(tags=["Embargoed project"], status=Article.Status.DRAFT)
    assert client.get(reverse("articles:tag", args=["embargoed-project"])).status_code == 404


# Simplified and Traditional Chinese are the same to a reader.


@pytest.mark.parametrize(
    "name, other_script",
    [
        ("網絡安全", "网络安全"),
        ("网络安全", "網絡安全"),
        ("人工智慧", "人工智能"),
        ("人工智能", "人工智慧"),
    ],
)
def test_a_tag_in_the_other_script_leads_to_the_same_page(client, make_article, name, other_script):
    make_article(title="Tagged", tags=[name])
    tag = TaggedArticle.objects.get().tag
    assert tag.slug == name  # the slug keeps its Chinese characters
    response = client.get(reverse("articles:tag", args=[other_script]), {"page": 1})
    assert response.status_code == 301
    assert response["Location"] == reverse("articles:tag", args=[name]) + "?page=1"
    assert "Tagged" in client.get(response["Location"]).content.decode()
    feed = client.get(reverse("articles:tag_feed", args=[other_script]))
    assert feed.status_code == 200 and b"Tagged" in feed.content


def test_an_exact_slug_wins_over_the_other_script(client, make_article):
    make_article(title="Traditional", tags=["網絡安全"])
    make_article(title="Simplified", tags=["网络安全"])
    assert "Traditional" in client.get("/tags/網絡安全/").content.decode()
    assert "Simplified" in client.get("/tags/网络安全/").content.decode()


@pytest.mark.parametrize("name", ["「」", "。。。", "——", "　"])
def test_no_tag_gets_an_empty_slug(make_article, name):
    article = make_article(tags=[name])
    slug = article.tags.get().slug
    assert slug.startswith("tag-") and len(slug) == 14


def counted_topic_months():
    """Each tag's live articles with a time per UTC month, counted from scratch."""
    import datetime

    found = {}
    rows = TaggedArticle.objects.filter(
        content_object__status=Article.Status.PUBLISHED,
        content_object__published_at__isnull=False,
    ).values_list("tag_id", "content_object__published_at")
    for tag_id, at in rows:
        at = at.astimezone(datetime.UTC)
        key = (tag_id, at.year * 100 + at.month)
        found[key] = found.get(key, 0) + 1
    return found


def kept_topic_months():
    from articles.models import TopicMonthCount

    kept = TopicMonthCount.objects.filter(articles__gt=0)
    return {(tag, month): n for tag, month, n in kept.values_list("tag_id", "month", "articles")}


@pytest.fixture
def months_of_topic(make_article):
    """A topic's articles over a year and more: ties, scheduled, expired, undated, drafts;
    then moved between months, retagged and unpublished by update() and deleted."""
    import datetime

    from django.utils import timezone

    from articles.models import Article

    now = timezone.now()
    for n in range(40):
        tags = ["Finance"] if n % 3 else ["Finance", "Courts"]
        at = now - datetime.timedelta(days=11 * n + 1)
        make_article(title=f"Story {n:02}", published_at=at, tags=tags)
    make_article(title="Other", tags=["Courts"])
    for n in range(3):
        make_article(
            title=f"Tie {n}", published_at=now - datetime.timedelta(days=50), tags=["Finance"]
        )
    make_article(title="Scheduled", published_at=now + datetime.timedelta(days=9), tags=["Finance"])
    make_article(
        title="Expired",
        published_at=now - datetime.timedelta(days=5),
        expires_at=now - datetime.timedelta(hours=1),
        tags=["Finance"],
    )
    make_article(title="Undated", published_at=None, tags=["Finance"])
    make_article(title="Draft", status=Article.Status.DRAFT, published_at=now, tags=["Finance"])
    Article.objects.filter(title="Story 04").update(published_at=now - datetime.timedelta(days=300))
    Article.objects.filter(title="Story 10").update(status=Article.Status.DRAFT)
    Article.objects.filter(title="Draft").update(status=Article.Status.PUBLISHED)
    Article.objects.get(title="Story 13").delete()
    Article.objects.get(title="Story 16").tags.remove("Finance")
    Article.objects.get(title="Other").tags.add("Finance")
    # A tagging moved to another article, in another month, by update().
    moved = TaggedArticle.objects.filter(content_object__title="Story 18", tag__name="Courts")
    moved.update(content_object=Article.objects.get(title="Story 35"))
    return now


def test_the_database_keeps_each_topics_month_counts(months_of_topic):
    assert kept_topic_months() == counted_topic_months()


def test_every_topic_page_found_from_the_months_is_the_plain_lists(
    client, months_of_topic, monkeypatch
):
    from articles.views import VersionedPaginator

    finance = Article.objects.published().filter(tagged_items__tag__name="Finance")
    shown = list(finance.values_list("title", flat=True))
    assert "Scheduled" not in shown and "Other" in shown and "Tie 2" in shown
    monkeypatch.setattr(VersionedPaginator, "DEEP", 0)  # every page from the months
    url = reverse("articles:tag", args=["finance"])
    pages = [shown[n : n + 10] for n in range(0, len(shown), 10)]
    assert len(pages) >= 4
    for number, expected in enumerate(pages, start=1):
        page = soup(client.get(url, {"page": number}))
        assert [h.get_text(strip=True) for h in page.select("article.card h2")] == expected
    assert client.get(url, {"page": len(pages) + 1}).status_code == 404


def test_a_deep_topic_page_skips_no_more_than_its_own_months_articles(
    client, make_article, monkeypatch
):
    import datetime
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from articles.views import VersionedPaginator

    now = timezone.now()
    for n in range(60):  # two a month, five months a page
        at = now - datetime.timedelta(days=15 * n + 1)
        make_article(title=f"Story {n:02}", published_at=at, tags=["Finance"])
    monkeypatch.setattr(VersionedPaginator, "DEEP", 0)
    with CaptureQueriesContext(connection) as captured:
        page = soup(client.get(reverse("articles:tag", args=["finance"]), {"page": 5}))
    shown = [h.get_text(strip=True) for h in page.select("article.card h2")]
    assert shown == [f"Story {n:02}" for n in range(40, 50)]
    skipped = [int(n) for q in captured for n in re.findall(r"OFFSET (\d+)", q["sql"])]
    assert skipped and max(skipped) <= 1, skipped


def test_a_deep_topic_pages_query_count_does_not_grow_with_its_depth(
    client, months_of_topic, monkeypatch, django_assert_num_queries
):
    from articles.views import VersionedPaginator
    from tests.helpers import unchanged_state

    monkeypatch.setattr(VersionedPaginator, "DEEP", 0)
    url = reverse("articles:tag", args=["finance"])
    client.get(url, {"page": 1})
    # The tag, its kept count and waiting articles, the months' kept counts and their
    # waiting articles, the page's ids in its month, the page of articles, one prefetch
    # of tags, one of bylines.
    for number in (2, 4):
        with django_assert_num_queries(9 + unchanged_state()):
            assert client.get(url, {"page": number}).status_code == 200
