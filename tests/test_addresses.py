"""One address per interface language: English unprefixed, /zh-hant/ and /zh-hans/
(articles/addresses.py); the cache never serves one language's page for another's."""

import pytest
from bs4 import BeautifulSoup

from tests.test_front_door import call

INTERFACES = {"": "en", "/zh-hant": "zh-Hant-HK", "/zh-hans": "zh-Hans-CN"}
PAGES = [
    "/?page=1",
    "/tags/",
    "/tags/hong-kong/",
    "/search/?q=AI",
    "/articles/rise-of-ai-in-hong-kong/",
]


def soup(response):
    assert response.status_code == 200, response
    return BeautifulSoup(response.content.decode(), "html.parser")


@pytest.mark.parametrize("prefix, lang", INTERFACES.items())
@pytest.mark.parametrize("path", PAGES)
def test_each_interface_has_its_own_address_whatever_the_browser_asks(
    client, seeded, prefix, lang, path
):
    for accept in ["en", "zh-HK", "zh-CN"]:
        page = soup(client.get(prefix + path, HTTP_ACCEPT_LANGUAGE=accept))
        assert page.html["lang"] == lang, (accept, path)


@pytest.mark.parametrize("path", PAGES[1:4])
def test_every_page_names_its_addresses_in_the_three_interfaces(client, seeded, path):
    base, path = "http://testserver", path.split("?")[0]
    expected = {
        "en": base + path,
        "zh-Hant-HK": base + "/zh-hant" + path,
        "zh-Hans": base + "/zh-hans" + path,
        "x-default": base + path,
    }
    for prefix in INTERFACES:
        page = soup(client.get(prefix + path))
        links = {link["hreflang"]: link["href"] for link in page.select("link[hreflang]")}
        assert links == expected, prefix
        assert page.select_one("link[rel=canonical]")["href"] == base + prefix + path


def test_the_home_page_names_its_addresses(client, seeded):
    page = soup(client.get("/zh-hans/"))
    links = {link["hreflang"]: link["href"] for link in page.select("link[hreflang]")}
    assert links == {
        "en": "http://testserver/",
        "zh-Hant-HK": "http://testserver/zh-hant/",
        "zh-Hans": "http://testserver/zh-hans/",
        "x-default": "http://testserver/",
    }


@pytest.mark.parametrize(
    "accept, location",
    [
        ("zh-CN", "/zh-hans/"),
        ("zh-SG", "/zh-hans/"),
        ("zh-Hans", "/zh-hans/"),
        ("zh-HK", "/zh-hant/"),
        ("zh-TW", "/zh-hant/"),
        ("zh-MO", "/zh-hant/"),
        ("zh-Hant", "/zh-hant/"),
    ],
)
def test_only_the_bare_home_page_follows_the_browser(client, seeded, accept, location):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert (response.status_code, response["Location"]) == (302, location)
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]
    # Page 2 of the English list, or any other English page, stays English.
    assert client.get("/tags/", HTTP_ACCEPT_LANGUAGE=accept).status_code == 200
    assert client.get("/?page=1", HTTP_ACCEPT_LANGUAGE=accept).status_code == 200
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200 and "Accept-Language" in english["Vary"]


@pytest.mark.parametrize(
    "path",
    [
        "/fr/",
        "/en/",
        "/zh/",
        "/zh-hk/",
        "/zh-hant-hk/",
        "/zh-Hant/",
        "/zh-hant/zh-hans/",
        "/klingon/articles/rise-of-ai-in-hong-kong/",
        "/zh-cn/articles/rise-of-ai-in-hong-kong/",
        "/zh-hans/articles/no-such-article/",
    ],
)
def test_an_unknown_language_prefix_is_404(client, seeded, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "code, prefix", [("en", ""), ("zh-hant", "/zh-hant"), ("zh-hans", "/zh-hans")]
)
def test_the_old_switch_still_answers_with_the_prefixed_address(client, seeded, code, prefix):
    for origin in ["", "/zh-hant", "/zh-hans"]:
        response = client.get(f"/language/{code}/", {"next": f"{origin}/tags/hong-kong/?page=1"})
        assert response["Location"] == f"{prefix}/tags/hong-kong/?page=1"
    assert client.get(f"/language/{code}/", {"next": "/no-such/"})["Location"] == "/no-such/"


def test_two_languages_never_share_a_cached_page(client, seeded):
    """Django stores each page; the front door (hkai_site/front_door.py) answers each
    from the cache, in its own language, without Django."""
    for prefix in INTERFACES:
        client.get(prefix + "/tags/")
    for prefix, lang in INTERFACES.items():
        for accept in ["en", "zh-HK", "zh-CN"]:
            status, _, body, django_ran = call(prefix + "/tags/", HTTP_ACCEPT_LANGUAGE=accept)
            assert (status, django_ran) == ("200 OK", False)
            assert f'<html lang="{lang}">' in body.decode(), (prefix, accept)


def test_the_stored_english_home_page_is_not_served_to_chinese_browsers(client, seeded):
    client.get("/")
    assert call("/")[3] is False  # stored
    status, headers, _, django_ran = call("/", HTTP_ACCEPT_LANGUAGE="zh-HK")
    assert (status, headers["Location"], django_ran) == ("302 Found", "/zh-hant/", True)
    status, _, body, _ = call("/zh-hant/")
    assert '<html lang="zh-Hant-HK">' in body.decode()


def test_search_in_a_prefixed_interface_keeps_its_query(client, make_article):
    make_article(title="香港荔枝")
    page = client.get("/zh-hans/search/?utm=1&q=香港").content.decode()
    assert "香港荔枝" in page or "香港荔枝" in page
    assert 'value="香港"' in page


def test_the_prefixed_home_page_costs_what_the_english_one_does(
    client, make_article, django_assert_num_queries
):
    for _ in range(5):
        make_article(tags=["Finance"])
    # The content state, the count kept, the page of articles, their tags, their
    # bylines, the pinned leads (none) — as tests/test_article_list.py counts `/`.
    with django_assert_num_queries(6):
        client.get("/zh-hans/")
    for _ in range(30):
        make_article(tags=["Policy"])
    with django_assert_num_queries(6):
        client.get("/zh-hant/")


@pytest.mark.parametrize(
    "path", ["/authors/nobody/", "/zh-hant/tags/no-such-topic/", "/archive/1999/", "/?page=99"]
)
def test_a_page_not_found_names_no_canonical_or_other_addresses(client, seeded, path):
    """A 404 naming itself canonical, and its three interfaces as alternates, pointed
    crawlers at addresses that are all 404."""
    response = client.get(path)
    assert response.status_code == 404
    page = BeautifulSoup(response.content.decode(), "html.parser")
    assert page.select("link[rel=canonical]") == [] and page.select("link[hreflang]") == []
