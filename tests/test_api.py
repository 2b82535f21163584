"""The read-only JSON API: content, pagination, search, caching, CORS and its docs."""

import datetime
import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.helpers import clock_standing_at, unchanged_state

ARTICLES = reverse("api:articles")
TAGS = reverse("api:tags")
SEARCH = reverse("api:search")
HK = datetime.timezone(datetime.timedelta(hours=8))


def get(client, url, params=None, status=200, **headers):
    response = client.get(url, params or {}, **headers)
    assert response.status_code == status, response.content
    if status != 304:
        assert response["Content-Type"].startswith("application/json")
    return response


def slugs(response):
    return [item["slug"] for item in response.json()["items"]]


def walk(client, params):
    """Every page of /api/articles by following `next`; the slugs in order."""
    seen, url = [], ARTICLES
    response = get(client, url, params)
    while True:
        seen += slugs(response)
        url = response.json()["next"]
        if url is None:
            return seen
        response = get(client, url.removeprefix("http://testserver"))


# Articles.


def test_articles_are_published_only_and_newest_first(client, make_article):
    now = timezone.now()
    older = make_article(published_at=now - datetime.timedelta(days=2), tags=["Finance"])
    newer = make_article(published_at=now - datetime.timedelta(days=1))
    make_article(status=Article.Status.DRAFT)
    make_article(status=Article.Status.REVIEW)
    make_article(published_at=now + datetime.timedelta(hours=1))
    body = get(client, ARTICLES).json()
    assert [item["slug"] for item in body["items"]] == [newer.slug, older.slug]
    assert body["next"] is None and body["next_cursor"] is None
    item = body["items"][1]
    assert item == {
        "slug": older.slug,
        "title": older.title,
        "standfirst": older.standfirst,
        "language": "en",
        "byline": "HKAI",
        "authors": [],
        "published_at": item["published_at"],
        "updated_at": item["updated_at"],
        "tags": [{"name": "Finance", "slug": "finance", "url": "http://testserver/tags/finance/"}],
        "url": f"http://testserver{older.get_absolute_url()}",
        "markdown_url": f"http://testserver{reverse('articles:markdown', args=[older.slug])}",
        "api_url": f"http://testserver{reverse('api:article', args=[older.slug])}",
        "lead_image": None,
    }
    published = datetime.datetime.fromisoformat(item["published_at"])
    assert published == older.published_at.replace(
        microsecond=older.published_at.microsecond // 1000 * 1000
    )


def test_keyset_pages_are_complete_and_stable(client, make_article):
    now = timezone.now().replace(microsecond=0)
    same_time = now - datetime.timedelta(days=1)
    articles = [make_article(published_at=now - datetime.timedelta(days=n + 2)) for n in range(17)]
    articles += [make_article(published_at=same_time) for _ in range(6)]  # ties on the time
    expected = list(
        Article.objects.published().order_by("-published_at", "-pk").values_list("slug", flat=True)
    )
    assert len(expected) == 23
    assert walk(client, {"limit": 5}) == expected

    first = get(client, ARTICLES, {"limit": 5}).json()
    make_article(published_at=now)  # published while a reader pages through
    second = get(client, first["next"].removeprefix("http://testserver")).json()
    assert [item["slug"] for item in second["items"]] == expected[5:10]
    assert first["next_cursor"] in first["next"]


@pytest.mark.parametrize(
    "cursor", ["0.0", "-62135596800000000.1", "999999999999999999.999999999999999999", "1.1"]
)
def test_any_well_formed_cursor_is_a_position(client, make_article, cursor):
    make_article()
    assert get(client, ARTICLES, {"cursor": cursor}).json()["items"] is not None


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "abc"},
        {"limit": 0},
        {"limit": 101},
        {"published_from": "2026-13-01"},
        {"tag": "a b"},
    ],
)
def test_bad_parameters_are_422(client, db, params):
    body = get(client, ARTICLES, params, status=422).json()
    assert body["detail"]


def test_filter_by_tag_in_either_script(client, make_article):
    security = make_article(tags=["網絡安全", "Policy"])
    policy = make_article(tags=["Policy"])
    make_article(tags=["Other"])
    make_article(status=Article.Status.DRAFT, tags=["Policy"])
    assert slugs(get(client, ARTICLES, {"tag": "policy"})) == [policy.slug, security.slug]
    assert slugs(get(client, ARTICLES, {"tag": "网络安全"})) == [security.slug]
    assert slugs(get(client, ARTICLES, {"tag": "網絡安全"})) == [security.slug]
    assert slugs(get(client, ARTICLES, {"tag": "no-such-tag"})) == []


def test_filter_by_publication_dates_in_hong_kong_time(client, make_article):
    late_on_1st = make_article(published_at=datetime.datetime(2026, 3, 1, 23, 30, tzinfo=HK))
    early_on_2nd = make_article(published_at=datetime.datetime(2026, 3, 2, 0, 15, tzinfo=HK))
    on_5th = make_article(published_at=datetime.datetime(2026, 3, 5, 12, 0, tzinfo=HK))
    dates = {"published_from": "2026-03-02", "published_to": "2026-03-05"}
    assert slugs(get(client, ARTICLES, dates)) == [on_5th.slug, early_on_2nd.slug]
    assert slugs(get(client, ARTICLES, {"published_to": "2026-03-01"})) == [late_on_1st.slug]
    both = {"published_from": "2026-03-01", "published_to": "2026-03-02", "limit": 1}
    assert walk(client, both) == [early_on_2nd.slug, late_on_1st.slug]
    extremes = {"published_from": "0001-01-01", "published_to": "9999-12-31"}
    assert len(slugs(get(client, ARTICLES, extremes))) == 3


def test_article_with_sections_in_order(client, make_article):
    article = make_article(
        sections=[("", "Intro *here*."), ("Risks", "<script>x</script> ok"), ("香港", "文字")],
        tags=["A"],
    )
    section = article.sections.get(heading="Risks")
    section.position = 9
    section.save()
    body = get(client, reverse("api:article", args=[article.slug])).json()
    assert body["slug"] == article.slug and body["tags"][0]["name"] == "A"
    assert body["sections"] == [
        {
            "heading": "",
            "anchor": "introduction",
            "markdown": "Intro *here*.",
            "html": "<p>Intro <em>here</em>.</p>\n",
        },
        {"heading": "香港", "anchor": "香港", "markdown": "文字", "html": "<p>文字</p>\n"},
        {
            "heading": "Risks",
            "anchor": "risks",
            "markdown": "<script>x</script> ok",
            "html": section.body_html,
        },
    ]
    assert "<script>" not in body["sections"][2]["html"]


@pytest.mark.parametrize("fields", [{"status": Article.Status.DRAFT}, {"slug": "elsewhere"}])
def test_unpublished_or_unknown_articles_are_404(client, admin_client, make_article, fields):
    article = make_article(**fields)
    url = reverse("api:article", args=["elsewhere" if "slug" in fields else article.slug])
    if "slug" in fields:
        url = reverse("api:article", args=["not-" + article.slug])
    assert get(client, url, status=404).json() == {"detail": "No published article has this slug."}
    assert get(admin_client, url, status=404)  # the API shows staff no drafts either


def test_unknown_api_addresses_are_json_404(client, db):
    assert get(client, "/api/nothing-here", status=404).json() == {"detail": "Not Found"}
    assert client.get("/nothing-here").content.startswith(b"<!DOCTYPE html>")


# Tags.


def test_tags_with_published_counts(client, make_article):
    make_article(tags=["Finance", "Hong Kong"])
    make_article(tags=["Finance"])
    make_article(tags=["Finance", "Secret"], status=Article.Status.DRAFT)
    assert get(client, TAGS).json() == [
        {
            "name": "Finance",
            "slug": "finance",
            "url": "http://testserver/tags/finance/",
            "article_count": 2,
            "articles": "http://testserver/api/articles?tag=finance",
        },
        {
            "name": "Hong Kong",
            "slug": "hong-kong",
            "url": "http://testserver/tags/hong-kong/",
            "article_count": 1,
            "articles": "http://testserver/api/articles?tag=hong-kong",
        },
    ]


# Search: the same hits in the same order as /search/.


def html_results(client, query, page=1):
    response = client.get(reverse("articles:search"), {"q": query, "page": page})
    page = BeautifulSoup(response.content.decode(), "html.parser")
    return [a["href"] for a in page.select("li.search-result h2 a")]


@pytest.mark.parametrize("query", ["Hong Kong", "cyber", "香港", "AI", "diary", "nothing-matches"])
def test_search_matches_the_search_page(client, seeded, query):
    body = get(client, SEARCH, {"q": query}).json()
    assert body["query"] == query and body["page"] == 1
    urls = [item["url"].removeprefix("http://testserver") for item in body["items"]]
    assert urls == html_results(client, query)
    assert body["count"] == len(urls)


def test_search_hits_name_the_section_and_carry_snippets(client, seeded):
    body = get(client, SEARCH, {"q": "diary"}).json()
    hit = body["items"][0]
    assert hit["section"] == {
        "heading": "Harnessing AI for Mental Health",
        "anchor": "harnessing-ai-for-mental-health",
    }
    assert hit["url"].endswith("#harnessing-ai-for-mental-health")
    assert "<mark>diary</mark>" in hit["snippet_html"]
    assert "diary entries" in hit["snippet_text"] and "<" not in hit["snippet_text"]
    assert hit["article"]["api_url"].endswith(reverse("api:article", args=[hit["article"]["slug"]]))


def test_search_in_either_script_with_escaped_snippets(client, make_article):
    article = make_article(sections=[("", "Intro."), ("保安", "<b>本港</b>加強網絡安全 & more")])
    hit = get(client, SEARCH, {"q": "网络安全"}).json()["items"][0]
    assert hit["article"]["slug"] == article.slug
    assert hit["section"]["anchor"] == "保安"
    assert "<mark>網絡安全</mark>" in hit["snippet_html"]
    assert "&amp;" in hit["snippet_html"] and "<b>" not in hit["snippet_html"]
    assert "網絡安全 & more" in hit["snippet_text"]


def test_search_pages(client, make_article):
    for n in range(12):
        make_article(title=f"Kiwi {n}")
    first = get(client, SEARCH, {"q": "kiwi"}).json()
    assert (first["count"], first["pages"], len(first["items"])) == (12, 2, 10)
    second = get(client, first["next"].removeprefix("http://testserver")).json()
    assert len(second["items"]) == 2 and second["next"] is None
    hrefs = [item["url"].removeprefix("http://testserver") for item in second["items"]]
    assert hrefs == html_results(client, "kiwi", page=2)
    get(client, SEARCH, {"q": "kiwi", "page": 3}, status=404)
    get(client, SEARCH, {"q": ""}, status=422)
    get(client, SEARCH, {"q": "x" * 201}, status=422)


# A fixed number of queries per request, whatever the amount of content.


def test_query_counts_are_flat(client, make_article, django_assert_num_queries):
    def grow(n):
        for i in range(n):
            make_article(
                title=f"Lychee {i}",
                tags=["Fruit", f"T{i}", f"U{i}"],
                sections=[("A", "lychee"), ("B", "lychee")],
            )

    def requests(article):
        # The content version (Last-Modified), the page of articles, one prefetch of
        # their tags, one of their bylines with the people. The version is read again
        # only after a write.
        with django_assert_num_queries(4):
            get(client, ARTICLES)
        with django_assert_num_queries(3 + unchanged_state()):
            get(client, ARTICLES, {"tag": "fruit", "limit": 50})
        # The content version, the article, its sections, its tags, its bylines.
        with django_assert_num_queries(4 + unchanged_state()):
            get(client, reverse("api:article", args=[article.slug]))
        # Every tag with its count of published articles: the content state, then (as
        # on /tags/, once per state) the waiting articles' tags and the kept counts.
        with django_assert_num_queries(2 + unchanged_state()):
            get(client, TAGS)
        with django_assert_num_queries(unchanged_state()):
            get(client, TAGS)
        # As /search/: the content version (search results are cached per version),
        # the tokens starting "lyche" (articles/search/prefixes.py), the ranked
        # articles, the entries to pick best sections from, those sections.
        with django_assert_num_queries(4 + unchanged_state()):
            get(client, SEARCH, {"q": "lychee"})

    grow(3)
    requests(Article.objects.first())
    grow(40)
    big = make_article(tags=[f"V{n}" for n in range(15)], sections=[("H", "lychee")] * 25)
    requests(big)


# Conditional requests and CORS.


@pytest.mark.parametrize("url", [ARTICLES, TAGS, "/api/openapi.json"])
def test_responses_carry_validators_and_honour_if_none_match(client, make_article, url):
    make_article(tags=["A"])
    response = get(client, url)
    etag = response["ETag"]
    assert re.fullmatch(r'"[0-9a-f]+"', etag)
    assert "no-cache" in response["Cache-Control"]
    not_modified = get(client, url, status=304, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.content == b"" and not_modified["ETag"] == etag
    get(client, url, HTTP_IF_NONE_MATCH='"something-else"')


def test_last_modified_and_if_modified_since(client, make_article):
    # Last-Modified is when public content last changed, in whole seconds: the clock
    # moves on between the changes and the requests (tests/test_cache_key.py).
    with clock_standing_at(timezone.now() + datetime.timedelta(hours=1)) as clock:
        article = make_article()
        clock.shift(10)
        url = reverse("api:article", args=[article.slug])
        modified = get(client, url)["Last-Modified"]
        get(client, url, status=304, HTTP_IF_MODIFIED_SINCE=modified)
        assert get(client, ARTICLES)["Last-Modified"] == modified
        assert get(client, SEARCH, {"q": "article"})["Last-Modified"] == modified
        article.title = "Edited"
        article.save()
        clock.shift(10)
        assert get(client, url, HTTP_IF_MODIFIED_SINCE=modified)["Last-Modified"] != modified


def test_an_edit_changes_the_etag(client, make_article):
    article = make_article()
    url = reverse("api:article", args=[article.slug])
    etag = get(client, url)["ETag"]
    article.title = "Edited"
    article.save()
    assert get(client, url, HTTP_IF_NONE_MATCH=etag)["ETag"] != etag


def test_any_origin_may_read_the_api(client, make_article):
    make_article()
    origin = {"HTTP_ORIGIN": "https://reader.example"}
    response = get(client, ARTICLES, **origin)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(ARTICLES, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", **origin)
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"]
    page = client.get("/", **origin)
    assert "Access-Control-Allow-Origin" not in page


def test_head_is_get_without_the_body(client, make_article):
    article = make_article()
    for url in [ARTICLES, reverse("api:article", args=[article.slug]), TAGS]:
        full, head = client.get(url), client.head(url)
        assert head.status_code == 200 and head.content == b""
        assert head["ETag"] == full["ETag"]
        assert head["Content-Length"] == str(len(full.content))


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nothing_writes(client, make_article, method):
    article = make_article()
    for url in [ARTICLES, reverse("api:article", args=[article.slug]), TAGS, SEARCH]:
        response = getattr(client, method)(url, {}, content_type="application/json")
        assert response.status_code == 405, url
        assert response["Allow"] == "GET"
    assert Article.objects.get().title == article.title


# The schema and the docs.


def test_openapi_schema(client, db):
    schema = get(client, "/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/articles",
        "/api/articles/{slug}",
        "/api/tags",
        "/api/search",
    }
    for path, operations in schema["paths"].items():
        assert list(operations) == ["get"], path


def test_docs_page_runs_no_inline_script_and_loads_nothing_from_elsewhere(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    page = BeautifulSoup(response.content.decode(), "html.parser")
    scripts = page.find_all("script")
    assert scripts, "the docs page needs its script"
    for script in scripts:
        if script.get("src"):
            assert script.get_text().strip() == ""
        else:  # only data, which browsers do not run
            assert script["type"] == "application/json"
    assert not page.find_all("style") and not page.select("[style]")
    assert not [tag for tag in page.find_all(True) if any(a.startswith("on") for a in tag.attrs)]
    assets = [tag.get("src") or tag.get("href") for tag in page.select("script[src], link[href]")]
    assert assets
    for url in assets:
        assert url.startswith("/static/"), url  # this site only
        assert finders.find(url.removeprefix("/static/")), url  # and packaged with it
    assert not re.search(r"(https?:)?//(?!www\.w3\.org)", response.content.decode())
