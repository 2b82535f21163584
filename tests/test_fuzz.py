"""Property-based tests: whatever a client sends, no 5xx and no traceback.

Random paths, slugs, query strings, headers and admin form fields go to every public
URL pattern and to the admin's article and tag forms (hypothesis, bounded examples).
"""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from articles.models import Article

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ADMIN_FUZZ = settings(FUZZ, max_examples=25)  # each example renders a whole admin page
text = st.text(min_size=0, max_size=300)
slugish = st.one_of(
    text,
    st.from_regex(r"[-\w]{1,250}", fullmatch=True),
    st.sampled_from(["rise-of-ai-in-hong-kong", "hong-kong", "..", "%00", "%ff", "a" * 201]),
)
headers = st.dictionaries(
    st.sampled_from(
        [
            "HTTP_ACCEPT_LANGUAGE",
            "HTTP_X_REQUEST_ID",
            "HTTP_IF_NONE_MATCH",
            "HTTP_IF_MODIFIED_SINCE",
            "HTTP_COOKIE",
            "HTTP_USER_AGENT",
            "HTTP_REFERER",
            "HTTP_X_FORWARDED_PROTO",
            "HTTP_ACCEPT_ENCODING",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=200),
    max_size=4,
)


def assert_handled(response):
    assert response.status_code < 500, response.status_code
    assert b"Traceback" not in response.content


@pytest.fixture
def anonymous(seeded):
    client = Client(raise_request_exception=False)
    return client


@FUZZ
@given(slug=slugish, query=st.dictionaries(text, text, max_size=3), extra=headers)
def test_public_url_patterns(anonymous, slug, query, extra):
    from urllib.parse import quote

    part = quote(slug, safe="")
    for path in (
        f"/articles/{part}/",
        f"/tags/{part}/",
        f"/tags/{part}/feed/",
        f"/tags/{part}/feed/atom/",
        f"/language/{part}/",
        f"/{part}",
    ):
        assert_handled(anonymous.get(path, query, **extra))


@FUZZ
@given(q=text, page=text, extra=headers)
@example(q="", page="²", extra={})  # once a 500: "²".isdigit() is true, int("²") fails
def test_query_strings(anonymous, q, page, extra):
    for path in ("/", "/search/", "/tags/hong-kong/", "/tags/"):
        assert_handled(anonymous.get(path, {"q": q, "page": page}, **extra))
    assert_handled(anonymous.get("/language/zh-hant/", {"next": q}, **extra))


@FUZZ
@given(method=st.sampled_from(["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]), body=text)
def test_other_methods(anonymous, method, body):
    for path in ("/", "/search/", "/articles/rise-of-ai-in-hong-kong/", "/healthz", "/feed/"):
        response = anonymous.generic(method, path, body.encode(), "text/plain")
        assert_handled(response)


@pytest.fixture
def editor_client(admin_user, seeded):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    return client


article_fields = st.fixed_dictionaries(
    {
        "title": text,
        "slug": slugish,
        "standfirst": text,
        "tags": text,
        "status": st.sampled_from(["draft", "review", "published", "", "bogus"]),
        "published_at_0": st.one_of(
            text, st.sampled_from(["2026-02-30", "2026-03-01", "0001-01-01", "9999-12-31"])
        ),
        "published_at_1": st.one_of(text, st.just("25:61"), st.just("09:00")),
        "sections-TOTAL_FORMS": st.sampled_from(["0", "1", "2", "-1", "x", "1000"]),
        "sections-INITIAL_FORMS": st.sampled_from(["0", "1", "x"]),
        "sections-0-position": text,
        "sections-0-heading": text,
        "sections-0-anchor": slugish,
        "sections-0-body": text,
        "sections-1-position": text,
        "sections-1-heading": text,
        "sections-1-anchor": slugish,
        "sections-1-body": text,
    }
)


@ADMIN_FUZZ
@given(data=article_fields)
def test_admin_article_form(editor_client, data):
    before = Article.objects.count()
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert_handled(response)
    if response.status_code == 200:  # refused with form errors: nothing half-written
        assert Article.objects.count() == before


@ADMIN_FUZZ
@given(data=article_fields)
def test_admin_article_change_form(editor_client, data):
    article = Article.objects.order_by("pk").first()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = {**data, "opened_token": str(article.edit_token)}  # as a fresh form would
    assert_handled(editor_client.post(url, data))
    assert_handled(editor_client.get(url))


date_filters = st.dictionaries(
    st.sampled_from(
        [
            "published_at__year",
            "published_at__month",
            "published_at__day",
            "created_at__year",
            "updated_at__date",
            "published_at__gte",
            "status__exact",
            "tags__id__exact",
            "o",
            "p",
        ]
    ),
    st.one_of(text, st.integers(-(10**20), 10**20).map(str)),
    max_size=3,
)


@ADMIN_FUZZ
@given(q=text, filters=st.one_of(st.dictionaries(text, text, max_size=3), date_filters))
# Each once a 500: Django's date drill-down overflowing, SQLite refusing the search.
@example(q="", filters={"published_at__year": "9999"})
@example(q="", filters={"published_at__year": "1"})
@example(q="", filters={"created_at__year": "1"})
@example(q="x" * 60_000, filters={})
@example(q="a " * 3_000, filters={})
def test_admin_changelist(editor_client, q, filters):
    for name in ("articles_article", "taggit_tag", "auth_user"):
        response = editor_client.get(reverse(f"admin:{name}_changelist"), {"q": q, **filters})
        assert_handled(response)
    suggestions = editor_client.get(reverse("admin:articles_article_tag_suggestions"), {"q": q})
    assert_handled(suggestions)
    preview = editor_client.post(reverse("admin:articles_article_markdown_preview"), {"body": q})
    assert_handled(preview)
