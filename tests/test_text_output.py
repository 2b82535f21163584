"""Articles as Markdown (/articles/<slug>.md) and /llms.txt, for programs that read text."""

import datetime
import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.helpers import unchanged_state


def markdown_url(article):
    return reverse("articles:markdown", args=[article.slug])


def test_article_as_markdown(client, make_article):
    article = make_article(
        title="AI in  Finance",
        standfirst="Banks adopt models.\nRegulators watch.",
        published_at=datetime.datetime(2026, 2, 12, 1, 0, tzinfo=datetime.UTC),
        sections=[
            ("", "Intro with *emphasis* and [a link](https://example.org)."),
            ("Risks", "- one\n- two"),
            ("香港", "人工智能發展。"),
        ],
        tags=["Finance", "香港"],
    )
    response = client.get(markdown_url(article))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.content.decode() == (
        "# AI in Finance\n\n"
        "> Banks adopt models.\n> Regulators watch.\n\n"
        "- Published: 2026-02-12\n"
        "- By: HKAI\n"
        "- Language: en\n"
        "- Topics: [Finance](http://testserver/tags/finance/), "
        "[香港](http://testserver/tags/%E9%A6%99%E6%B8%AF/)\n"
        f"- Web page: http://testserver{article.get_absolute_url()}\n\n"
        "Intro with *emphasis* and [a link](https://example.org).\n\n"
        "## Risks\n\n- one\n- two\n\n"
        "## 香港\n\n人工智能發展。\n"
    )
    assert response["Link"] == f'<http://testserver{article.get_absolute_url()}>; rel="canonical"'


def test_seed_articles_keep_every_section_in_markdown(client, seeded):
    for article in seeded.values():
        text = client.get(markdown_url(article)).content.decode()
        assert text.startswith(f"# {article.title}\n")
        positions = [text.index(section.body.strip()) for section in article.sections.all()]
        assert positions == sorted(positions)
        for section in article.sections.exclude(heading=""):
            assert f"\n## {section.heading}\n" in text


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"published_at": timezone.now() + datetime.timedelta(days=1)},
    ],
)
def test_unpublished_articles_have_no_markdown(client, admin_client, make_article, fields):
    article = make_article(**fields)
    assert client.get(markdown_url(article)).status_code == 404
    assert admin_client.get(markdown_url(article)).status_code == 404


def test_unknown_slugs_and_other_methods(client, make_article):
    article = make_article()
    assert client.get("/articles/no-such-article.md").status_code == 404
    assert client.post(markdown_url(article)).status_code == 405


def test_article_page_links_its_markdown(client, admin_client, make_article):
    article = make_article()
    page = BeautifulSoup(client.get(article.get_absolute_url()).content.decode(), "html.parser")
    link = page.select_one('link[rel="alternate"][type="text/markdown"]')
    assert link["href"] == markdown_url(article)
    draft = make_article(status=Article.Status.DRAFT)
    preview = admin_client.get(draft.get_absolute_url()).content.decode()
    assert 'type="text/markdown"' not in preview  # it would be a 404


def test_markdown_is_cacheable_with_validators(client, make_article, time_machine):
    article = make_article()
    # A second later: nothing made in the second of a change carries its date.
    time_machine.move_to(timezone.now() + datetime.timedelta(seconds=1))
    response = client.get(markdown_url(article))
    etag, modified = response["ETag"], response["Last-Modified"]
    assert client.get(markdown_url(article), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(markdown_url(article), HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    article.title = "Changed"
    article.save()
    assert client.get(markdown_url(article), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_markdown_query_count_is_flat(client, make_article, django_assert_num_queries):
    small = make_article(tags=["A"])
    big = make_article(tags=[f"T{n}" for n in range(12)], sections=[("H", "x")] * 20)
    # The content version (page cache), the article, one prefetch of sections, one of
    # tags, one of bylines with their people; the version again only after a write.
    with django_assert_num_queries(5):
        client.get(markdown_url(small))
    with django_assert_num_queries(4 + unchanged_state()):
        client.get(markdown_url(big))


def test_llms_txt_follows_the_convention(client, make_article):
    now = timezone.now()
    older = make_article(title="Older [draft] news", published_at=now - datetime.timedelta(2))
    newer = make_article(title="Newer", standfirst="Fresh.", tags=["Finance"])
    make_article(title="Hidden", status=Article.Status.DRAFT, tags=["Secret"])
    response = client.get(reverse("llms_txt"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    lines = text.splitlines()
    assert lines[0] == "# HKAI"
    assert lines[2].startswith("> News and analysis on artificial intelligence in Hong Kong")
    sections = re.findall(r"^## (.+)$", text, re.MULTILINE)
    assert sections[0] == "Recent articles" and "Topics" in sections
    assert sections[-1] == "Optional"
    links = re.findall(r"^- \[(.+?)\]\((\S+)\)", text, re.MULTILINE)
    articles = [(t, u) for t, u in links if u.endswith(".md")]
    assert articles == [
        ("Newer", f"http://testserver{markdown_url(newer)}"),
        (r"Older \[draft\] news", f"http://testserver{markdown_url(older)}"),
    ]
    assert "- [Newer](http://testserver/articles/article-" in text and ": Fresh." in text
    assert ("All topics", "http://testserver/tags/") in links
    assert ("OpenAPI schema", "http://testserver/api/openapi.json") in links
    assert ("Finance", "http://testserver/tags/finance/") in links
    assert "Hidden" not in text and "Secret" not in text
    for _, url in links:
        assert client.get(url.removeprefix("http://testserver")).status_code == 200, url


def test_llms_txt_query_count_is_flat(client, make_article, django_assert_num_queries):
    make_article(tags=["A"])
    # The content state (page cache), the recent articles, the waiting articles' tags,
    # the main topics with their kept counts.
    with django_assert_num_queries(4):
        client.get(reverse("llms_txt"))
    for n in range(30):
        make_article(tags=[f"T{n}", "A"])
    with django_assert_num_queries(4):
        response = client.get(reverse("llms_txt"))
    assert response.content.decode().count(".md)") == 20


@pytest.mark.parametrize(
    ("language", "prefix", "original"),
    [("zh-Hant-HK", "/zh-hans", "/zh-hant"), ("zh-Hans", "", "/zh-hans"), ("en", "/zh-hant", "")],
)
def test_markdown_in_another_interface_names_its_language_and_the_page_as_written(
    client, make_article, language, prefix, original
):
    """The text is the article as written: it said it was in the interface's language
    (Content-Language: zh-hans over Traditional text) and named as canonical the
    interface's page, where the article page itself names the one as written."""
    from devtools.generator import chinese_article

    fields = chinese_article(3, script=language) if language != "en" else {}
    fields.pop("sections", None)
    fields["language"] = language
    article = make_article(slug="written", **fields)
    response = client.get(f"{prefix}/articles/written.md")
    assert response.status_code == 200
    assert response["Content-Language"] == language
    page = f"http://testserver{original}/articles/written/"
    assert response["Link"] == f'<{page}>; rel="canonical"'
    assert f"- Web page: {page}" in response.content.decode()
    html = BeautifulSoup(client.get(f"{prefix}/articles/written/").content, "html.parser")
    assert html.select_one("link[rel=canonical]")["href"] == page
    assert article.title in response.content.decode()
