"""A Chinese article in either script at its own address: converted once per content
version (articles/scripts.py), with what the editor marks kept as written."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User

from articles import scripts
from articles.markdown import render_markdown
from devtools.generator import chinese_article

BASE = "http://testserver"


def soup(response):
    assert response.status_code == 200, response
    return BeautifulSoup(response.content.decode(), "html.parser")


@pytest.fixture
def traditional(make_article):
    return make_article(slug="sample-hant", **chinese_article(1, "zh-Hant-HK"))


@pytest.fixture
def simplified(make_article):
    return make_article(slug="sample-hans", **chinese_article(2, "zh-Hans"))


def test_a_traditional_article_reads_in_simplified_at_its_own_address(client, traditional):
    page = soup(client.get("/zh-hans/articles/sample-hant/"))
    article = page.select_one("article.article")
    assert article["lang"] == "zh-Hans"
    assert page.h1.get_text() == "香港人工智能发展迅速（示例文字，由程式产生）"
    assert "监管机构发出新的指引" in article.get_text()
    assert "監管" not in article.get_text()
    assert page.select_one("link[rel=canonical]")["href"] == f"{BASE}/zh-hant/articles/sample-hant/"
    links = {link["hreflang"]: link["href"] for link in page.select("link[hreflang]")}
    assert links == {
        "zh-Hant-HK": f"{BASE}/zh-hant/articles/sample-hant/",
        "zh-Hans": f"{BASE}/zh-hans/articles/sample-hant/",
        "x-default": f"{BASE}/zh-hant/articles/sample-hant/",
    }
    switch = page.select_one(".article__versions a")
    assert (switch["href"], switch["lang"], switch.get_text()) == (
        "/zh-hant/articles/sample-hant/",
        "zh-Hant-HK",
        "繁體中文",
    )


def test_a_simplified_article_reads_in_traditional(client, simplified):
    page = soup(client.get("/zh-hant/articles/sample-hans/"))
    assert page.select_one("article.article")["lang"] == "zh-Hant-HK"
    assert page.h1.get_text() == "金融機構加強風險管理（示例文字，由程式產生）"
    assert page.select_one("link[rel=canonical]")["href"] == f"{BASE}/zh-hans/articles/sample-hans/"
    assert page.select_one(".article__versions a").get_text() == "简体中文"


def test_as_written_in_its_own_script_and_in_the_english_interface(client, traditional):
    for url in ["/zh-hant/articles/sample-hant/", "/articles/sample-hant/"]:
        page = soup(client.get(url))
        assert page.h1.get_text() == "香港人工智能發展迅速（示例文字，由程式產生）"
        assert page.select_one("article.article")["lang"] == "zh-Hant-HK"
        canonical = page.select_one("link[rel=canonical]")["href"]
        assert canonical == f"{BASE}/zh-hant/articles/sample-hant/"
        assert page.select_one(".article__versions a")["href"] == "/zh-hans/articles/sample-hant/"


def test_what_the_editor_marks_and_the_term_list_stay_as_written(client, make_article, settings):
    settings.KEEP_AS_WRITTEN = ["智譜", "後樂園"]
    make_article(
        slug="marks",
        title="後樂園與智譜的測試",
        language="zh-Hant-HK",
        sections=[("", "他說[臺灣]{lang=zh-Hant-TW}與[後來]{keep}，`後來` 不變，後來改變。")],
    )
    page = soup(client.get("/zh-hans/articles/marks/"))
    assert page.h1.get_text() == "後樂園与智譜的测试"
    body = page.select_one(".article__body")
    assert body.select_one('span[lang="zh-Hant-TW"]').get_text() == "臺灣"
    assert body.select_one('span[translate="no"]').get_text() == "後來"
    assert body.code.get_text() == "後來"
    assert "后来改变" in body.get_text()


def test_an_english_article_has_no_other_script(client, make_article):
    make_article(slug="english", title="Drones over the harbour", sections=[("", "A 香港 trial.")])
    for prefix in ["", "/zh-hant", "/zh-hans"]:
        page = soup(client.get(f"{prefix}/articles/english/"))
        assert page.select_one(".article__versions") is None
        assert "A 香港 trial." in page.select_one(".article__body").get_text()
        assert page.select_one("link[rel=canonical]")["href"] == f"{BASE}/articles/english/"
        links = {link["hreflang"]: link["href"] for link in page.select("link[hreflang]")}
        assert links == {
            "en": f"{BASE}/articles/english/",
            "x-default": f"{BASE}/articles/english/",
        }


def test_the_conversion_is_made_once_per_content_version(client, traditional, monkeypatch):
    calls = []
    real = scripts.convert_html

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scripts, "convert_html", counted)
    staff = User.objects.create_superuser("editor", "e@example.org", "pw")
    client.force_login(staff)  # past the page cache: the view runs each time
    for _ in range(3):
        assert "监管" in client.get("/zh-hans/articles/sample-hant/").content.decode()
    assert len(calls) == 3  # its three sections, once
    section = traditional.sections.first()
    section.body = "新的內容。"
    section.save()
    assert "新的内容" in client.get("/zh-hans/articles/sample-hant/").content.decode()
    assert len(calls) == 6


def test_cards_and_neighbours_follow_the_readers_script(client, traditional, make_article):
    home = soup(client.get("/zh-hans/"))
    card = home.select_one(".card")
    assert (
        card.select_one(".card__title").get_text() == "香港人工智能发展迅速（示例文字，由程式产生）"
    )
    assert card.get("lang") is None  # the page's own language now
    english = soup(client.get("/"))
    assert english.select_one(".card")["lang"] == "zh-Hant-HK"


def test_the_converted_article_page_runs_a_fixed_number_of_queries(
    client, make_article, django_assert_num_queries
):
    make_article(slug="first", tags=["AI"], **chinese_article(3))
    # The content state, the article with author and image (and whether a translation
    # of it is published), its sections, its tags, related articles, the previous and
    # next articles, its bylines: as the article as written (the conversion runs no query).
    with django_assert_num_queries(8):
        client.get("/zh-hans/articles/first/")
    for n in range(20):
        make_article(tags=["AI"], **chinese_article(10 + n))
    with django_assert_num_queries(8):
        client.get("/zh-hans/articles/first/")


def test_markdown_marks_a_span_in_another_language():
    html = render_markdown('He said [香港]{lang=zh-Hant-HK} and [x]{lang="><script>"}.')
    assert '<span lang="zh-Hant-HK">香港</span>' in html
    assert "<script" not in html and "[x]" in html


def test_search_results_are_in_the_readers_script(client, traditional, simplified):
    for query in ["监管", "監管"]:
        page = soup(client.get("/zh-hans/search/", {"q": query}))
        titles = [a.get_text() for a in page.select(".search-result__title a")]
        assert "香港人工智能发展迅速（示例文字，由程式产生）" in titles
        assert all("發" not in t and "產" not in t for t in titles)
        snippets = " ".join(p.get_text() for p in page.select(".search-result__snippet"))
        assert "监管" in snippets and "監管" not in snippets
        assert page.select_one(".search-result__snippet mark").get_text() == "监管"
    page = soup(client.get("/zh-hant/search/", {"q": "监管"}))
    titles = [a.get_text() for a in page.select(".search-result__title a")]
    assert "金融機構加強風險管理（示例文字，由程式產生）" in titles


def test_a_search_result_in_another_language_says_so(client, traditional, make_article):
    make_article(title="Regulators 监管 drones", slug="english-hit")
    page = soup(client.get("/search/", {"q": "监管"}))
    langs = {
        li.select_one(".search-result__title a")["href"].split("#")[0]: li.get("lang")
        for li in page.select(".search-result")
    }
    assert langs == {"/articles/sample-hant/": "zh-Hant-HK", "/articles/english-hit/": None}


def test_a_chinese_quote_marked_in_an_english_article_carries_its_language(client, make_article):
    make_article(slug="quote", sections=[("", "The sign read [小心地滑]{lang=zh-Hant-HK}.")])
    page = soup(client.get("/articles/quote/"))
    assert page.select_one('.article__body span[lang="zh-Hant-HK"]').get_text() == "小心地滑"


def test_feeds_of_a_chinese_interface_are_in_its_script(client, traditional):
    from xml.etree import ElementTree

    rss = ElementTree.fromstring(client.get("/zh-hans/feed/").content)
    item = rss.find("channel/item")
    assert item.findtext("title") == "香港人工智能发展迅速（示例文字，由程式产生）"
    assert item.findtext("{http://purl.org/dc/elements/1.1/}language") == "zh-Hans"
    assert item.findtext("link") == "http://testserver/zh-hans/articles/sample-hant/"
    english = ElementTree.fromstring(client.get("/feed/").content).find("channel/item")
    assert english.findtext("title") == "香港人工智能發展迅速（示例文字，由程式產生）"
