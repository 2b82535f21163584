"""The reader interface in English (default), Traditional and Simplified Chinese."""

from pathlib import Path

import polib
import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.urls import reverse

LOCALE = Path(settings.BASE_DIR) / "locale" / "zh_Hant" / "LC_MESSAGES"


def page(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def test_english_is_the_default(client, seeded):
    home = page(client, "/")
    assert home.html["lang"] == "en"
    assert home.h1.get_text() == "Latest articles"
    assert home.select_one("time").get_text() == "12 February 2026"


def redirected(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 302
    vary = {part.strip() for part in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary
    return response["Location"]


@pytest.mark.parametrize("accept", ["zh-HK", "zh-TW,zh;q=0.9,en;q=0.5", "zh-Hant"])
def test_browsers_asking_for_traditional_chinese_get_it(client, seeded, accept):
    assert redirected(client, "/", HTTP_ACCEPT_LANGUAGE=accept) == "/zh-hant/"
    home = page(client, "/zh-hant/", HTTP_ACCEPT_LANGUAGE=accept)
    assert home.html["lang"] == "zh-Hant-HK"
    assert home.h1.get_text() == "最新文章"
    assert home.select_one("a.skip-link").get_text() == "跳至主要內容"
    assert home.select_one("time").get_text() == "2026年2月12日"
    assert [a.get_text() for a in home.select(".site-nav a")] == ["最新", "主題", "搜尋"]


def test_article_page_in_chinese_keeps_the_english_article_marked_as_english(client, seeded):
    article = page(
        client,
        "/zh-hant/articles/china-ai-revolution-lunar-new-year/",
    )
    assert article.select_one("article.article")["lang"] == "en"
    assert article.select_one(".toc__title").get_text() == "目錄"
    meta = article.select_one(".article__meta").get_text(" ", strip=True)
    assert "作者：HKAI" in meta and "閱讀時間約 3 分鐘" in meta
    assert article.select_one("#related-title").get_text() == "相關文章"


def test_other_pages_in_chinese(client, seeded):
    topics = page(client, "/zh-hant/tags/")
    assert topics.h1.get_text() == "主題"
    assert "篇文章" in topics.select_one(".topic-list__count").get_text()
    search = page(client, "/zh-hant/search/?q=香港")
    assert "找到 1 篇與「香港」相關的文章。" in search.get_text()
    missing = client.get("/zh-hant/no-such-page/")
    assert missing.status_code == 404 and "找不到頁面" in missing.content.decode()
    feed = client.get("/zh-hant/feed/").content.decode()
    assert "<title>HKAI：香港人工智能</title>" in feed


def test_language_switcher_goes_to_the_page_in_that_language_and_remembers_it(client, seeded):
    home = page(client, "/tags/")
    link = home.select_one(".language-switcher a[lang=zh-Hant-HK]")
    assert link["href"] == "/language/zh-hant/?next=/tags/"
    assert home.select_one(".language-switcher [aria-current]").get_text() == "English"
    response = client.get(link["href"])
    assert response.status_code == 302 and response["Location"] == "/zh-hant/tags/"
    assert page(client, "/zh-hant/tags/").h1.get_text() == "主題"
    assert page(client, "/tags/").h1.get_text() == "Topics"  # the address decides
    assert redirected(client, "/") == "/zh-hant/"  # the choice, remembered for / alone
    back = page(client, "/zh-hant/tags/").select_one(".language-switcher a[lang=en]")
    assert back["href"] == "/language/en/?next=/zh-hant/tags/"
    assert client.get(back["href"])["Location"] == "/tags/"
    assert page(client, "/").h1.get_text() == "Latest articles"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "javascript:x"])
def test_language_switcher_never_redirects_elsewhere(client, db, target):
    response = client.get(reverse("articles:language", args=["zh-hant"]), {"next": target})
    assert response["Location"] == "/zh-hant/"


def test_unknown_language_is_404(client, db):
    assert client.get("/language/klingon/").status_code == 404


def test_public_pages_set_no_cookies(client, seeded):
    for url in ["/", "/tags/", "/articles/rise-of-ai-in-hong-kong/", "/search/?q=AI"]:
        response = client.get(url)
        assert not response.cookies, url
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_english_urls_do_not_change(client, seeded):
    for url in ["/tags/", "/search/", "/articles/rise-of-ai-in-hong-kong/"]:
        assert page(client, url, HTTP_ACCEPT_LANGUAGE="zh-HK").html["lang"] == "en"
    assert client.get("/feed/", HTTP_ACCEPT_LANGUAGE="zh-HK").status_code == 200
    assert page(client, "/").html["lang"] == "en"


def test_catalogue_is_complete():
    catalogue = polib.pofile(LOCALE / "django.po")
    assert catalogue.percent_translated() == 100
    assert not catalogue.fuzzy_entries()
    assert not catalogue.obsolete_entries()


def test_compiled_catalogue_matches_the_source():
    """`make run` serves the committed .mo, so it must hold exactly what the .po says."""
    source = {
        (e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in polib.pofile(LOCALE / "django.po")
    }
    compiled = {
        (e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in polib.mofile(LOCALE / "django.mo")
    }
    assert compiled == source


SIMPLIFIED = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


@pytest.mark.parametrize("accept", ["zh-CN", "zh-SG", "zh-Hans", "zh-CN,zh;q=0.9,en;q=0.5"])
def test_browsers_asking_for_simplified_chinese_get_it(client, seeded, accept):
    assert redirected(client, "/", HTTP_ACCEPT_LANGUAGE=accept) == "/zh-hans/"
    home = page(client, "/zh-hans/")
    assert home.html["lang"] == "zh-Hans-CN"
    assert home.h1.get_text() == "最新文章"
    assert home.select_one("a.skip-link").get_text() == "跳至主要内容"
    assert [a.get_text() for a in home.select(".site-nav a")] == ["最新", "主题", "搜寻"]


@pytest.mark.parametrize("accept", ["zh-MO", "zh-HK,zh-CN;q=0.5"])
def test_hong_kong_taiwan_and_macau_browsers_get_traditional(client, seeded, accept):
    assert redirected(client, "/", HTTP_ACCEPT_LANGUAGE=accept) == "/zh-hant/"


def test_the_switcher_offers_simplified_chinese(client, seeded):
    link = page(client, "/tags/").select_one(".language-switcher a[lang=zh-Hans-CN]")
    assert link.get_text() == "简体中文"
    assert client.get(link["href"])["Location"] == "/zh-hans/tags/"
    assert page(client, "/zh-hans/tags/").h1.get_text() == "主题"


def test_simplified_catalogue_translates_every_traditional_message():
    traditional = polib.pofile(LOCALE / "django.po")
    simplified = {e.msgid: e for e in polib.pofile(SIMPLIFIED / "django.po")}
    assert {e.msgid for e in traditional} == set(simplified)
    for entry in traditional:
        converted = simplified[entry.msgid]
        assert converted.translated() and not converted.fuzzy, entry.msgid
    compiled = {e.msgid: e.msgstr for e in polib.mofile(SIMPLIFIED / "django.mo")}
    assert compiled == {e.msgid: e.msgstr for e in simplified.values()}


def test_simplified_catalogue_is_what_opencc_makes_of_the_traditional_one():
    """Edited by hand, it would be overwritten by the next `make messages`."""
    from devtools.simplified_catalogue import simplified

    made = {(e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in simplified()}
    stored = {
        (e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in polib.pofile(SIMPLIFIED / "django.po")
    }
    assert made == stored
