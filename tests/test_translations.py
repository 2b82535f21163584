"""Articles linked to their translations: offered to readers on each page and in the
sitemap, seen by editors in the admin (behind when the original moved on), and links
that could loop refused."""

import datetime
import threading
from xml.etree import ElementTree

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from articles.models import Article
from devtools.generator import chinese_article
from tests.helpers import form_data

BASE = "http://testserver"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def clock():
    with time_machine.travel(datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC), tick=False) as t:
        yield t


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def soup(response):
    assert response.status_code == 200, response
    return BeautifulSoup(response.content.decode(), "html.parser")


@pytest.fixture
def pair(make_article):
    """An English original and its (synthetic) Traditional Chinese translation."""
    english = make_article(slug="original", title="A synthetic original")
    chinese = make_article(slug="translation", translation_of=english, **chinese_article(5))
    return english, chinese


def link_in_admin(admin_client, article, original):
    data = form_data(admin_client.get(change_url(article)), publish=True)
    data["translation_of"] = "" if original is None else str(original.pk)
    return admin_client.post(change_url(article), data)


def test_an_editor_links_a_translation_in_the_admin(admin_client, make_article):
    english = make_article(slug="original")
    chinese = make_article(slug="translation", **chinese_article(5))
    response = link_in_admin(admin_client, chinese, english)
    assert response.status_code == 302, response.content.decode()[:3000]
    chinese.refresh_from_db()
    assert chinese.translation_of == english
    page = admin_client.get(change_url(english)).content.decode()
    assert "Linked versions" in page and chinese.title in page


def test_each_version_offers_the_other(client, pair):
    english, chinese = pair
    page = soup(client.get("/articles/original/"))
    offer = page.select_one(".article__versions a")
    assert (offer.get_text(), offer["href"], offer["lang"]) == (
        "閱讀中文版",
        "/zh-hant/articles/translation/",
        "zh-Hant-HK",
    )
    links = {link["hreflang"]: link["href"] for link in page.select("link[hreflang]")}
    assert links == {
        "en": f"{BASE}/articles/original/",
        "zh-Hant-HK": f"{BASE}/zh-hant/articles/translation/",
        "zh-Hans": f"{BASE}/zh-hans/articles/translation/",
        "x-default": f"{BASE}/articles/original/",
    }
    page = soup(client.get("/zh-hans/articles/translation/"))
    offers = {a.get_text(): a["href"] for a in page.select(".article__versions a")}
    assert offers == {
        "繁體中文": "/zh-hant/articles/translation/",
        "Read in English": "/articles/original/",
    }
    assert page.select_one(".article__versions a[lang=en]")["hreflang"] == "en"
    links = {link["hreflang"]: link["href"] for link in page.select("link[hreflang]")}
    assert links["en"] == f"{BASE}/articles/original/"
    assert links["x-default"] == f"{BASE}/articles/original/"


def test_an_unpublished_translation_is_not_offered(client, make_article):
    english = make_article(slug="original")
    make_article(translation_of=english, status=Article.Status.DRAFT, **chinese_article(6))
    assert soup(client.get("/articles/original/")).select_one(".article__versions") is None


def test_the_sitemap_names_every_version(client, pair):
    english, chinese = pair
    root = ElementTree.fromstring(client.get("/sitemap-articles.xml").content)
    found = {
        url.findtext(f"{SITEMAP}loc"): {
            link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")
        }
        for url in root
    }
    expected = {
        "en": f"{BASE}/articles/original/",
        "zh-Hant-HK": f"{BASE}/zh-hant/articles/translation/",
        "zh-Hans": f"{BASE}/zh-hans/articles/translation/",
    }
    assert found[f"{BASE}/articles/original/"] == {**expected, "x-default": expected["en"]}
    assert found[f"{BASE}/zh-hant/articles/translation/"] == {
        "zh-Hant-HK": expected["zh-Hant-HK"],
        "zh-Hans": expected["zh-Hans"],
        "en": expected["en"],
        "x-default": expected["en"],
    }


def test_a_translated_article_page_runs_one_query_more(
    client, make_article, django_assert_num_queries
):
    original = make_article(tags=["AI"], slug="original")
    make_article(translation_of=original, **chinese_article(1))
    # As any article page (8), and the published versions of the article.
    with django_assert_num_queries(9):
        client.get("/zh-hans/articles/original/")
    for n in range(5):
        make_article(translation_of=original, **chinese_article(10 + n))
    with django_assert_num_queries(9):
        client.get("/zh-hans/articles/original/")


def test_the_sitemap_page_of_articles_runs_a_fixed_number_of_queries(
    client, make_article, django_assert_num_queries
):
    for n in range(3):
        original = make_article()
        make_article(translation_of=original, **chinese_article(n))
    # The content state; the page of articles; their versions. (The paginator's count
    # comes first.)
    with django_assert_num_queries(4):
        client.get("/sitemap-articles.xml")
    for n in range(10):
        original = make_article()
        make_article(translation_of=original, **chinese_article(n))
    with django_assert_num_queries(4):
        client.get("/sitemap-articles.xml")


@pytest.mark.parametrize("case", ["itself", "translation of a translation", "loop"])
def test_links_that_could_loop_are_form_errors(admin_client, pair, make_article, case):
    english, chinese = pair
    article, original = {
        "itself": (english, english),
        "translation of a translation": (make_article(slug="third"), chinese),
        "loop": (english, chinese),
    }[case]
    response = link_in_admin(admin_client, article, original)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    article.refresh_from_db()
    assert article.translation_of_id == (None if article == english else article.translation_of_id)


def test_the_database_refuses_them_from_any_writer(pair, make_article):
    english, chinese = pair
    third = make_article()
    for article, original in [(english, english), (third, chinese), (english, chinese)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=article.pk).update(translation_of=original)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_two_editors_at_once_cannot_link_two_articles_to_each_other(make_article):
    """One transaction makes A a translation of B while another makes B one of A: each
    trigger read the other's row as it stood, and both committed a loop."""
    a, b = make_article(slug="a"), make_article(slug="b")
    outcome = []

    def link_b_to_a():
        try:
            with transaction.atomic():
                Article.objects.filter(pk=b.pk).update(translation_of=a)
            outcome.append("linked")
        except IntegrityError:
            outcome.append("refused")
        finally:
            connections.close_all()

    with transaction.atomic():
        Article.objects.filter(pk=a.pk).update(translation_of=b)
        other = threading.Thread(target=link_b_to_a)
        other.start()
        with connection.cursor() as cursor:  # until the other one waits, or is done
            for _ in range(1000):
                cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                if cursor.fetchone()[0] or not other.is_alive():
                    break
                other.join(timeout=0.01)
    other.join(timeout=30)
    assert outcome == ["refused"]
    links = dict(Article.objects.filter(pk__in=[a.pk, b.pk]).values_list("slug", "translation_of"))
    assert links == {"a": b.pk, "b": None}


def test_a_translation_is_flagged_behind_naming_the_sections_changed(
    admin_client, make_article, clock
):
    english = make_article(
        slug="original", sections=[("Background", "Old."), ("Outlook", "Unchanged.")]
    )
    # Saved through the admin, so that each edit is a version of its own.
    data = form_data(admin_client.get(change_url(english)), publish=True)
    assert admin_client.post(change_url(english), data).status_code == 302
    clock.shift(60)
    chinese = make_article(slug="translation", **chinese_article(7))
    assert link_in_admin(admin_client, chinese, english).status_code == 302
    page = admin_client.get(change_url(chinese)).content.decode()
    assert "Behind its original" not in page
    clock.shift(60)
    data = form_data(admin_client.get(change_url(english)), publish=True)
    data["sections-0-body"] = "New."
    assert admin_client.post(change_url(english), data).status_code == 302
    for article in (chinese, english):
        page = soup(admin_client.get(change_url(article)))
        flag = page.select_one(".translation-behind")
        assert flag.get_text() == "Behind its original, changed since: Background."


def test_a_section_removed_from_the_original_flags_the_translation_behind(
    admin_client, make_article, clock
):
    """Only the sections still in the original were compared: deleting one left the
    translation looking up to date, though it still carries the removed text."""
    english = make_article(
        slug="original", sections=[("Background", "Old."), ("Outlook", "Unchanged.")]
    )
    data = form_data(admin_client.get(change_url(english)), publish=True)
    assert admin_client.post(change_url(english), data).status_code == 302
    clock.shift(60)
    chinese = make_article(slug="translation", **chinese_article(7))
    assert link_in_admin(admin_client, chinese, english).status_code == 302
    clock.shift(60)
    data = form_data(admin_client.get(change_url(english)), publish=True)
    data["sections-0-DELETE"] = "on"
    assert admin_client.post(change_url(english), data).status_code == 302
    assert list(english.sections.values_list("heading", flat=True)) == ["Outlook"]
    flag = soup(admin_client.get(change_url(chinese))).select_one(".translation-behind")
    assert flag is not None
    assert flag.get_text() == "Behind its original, changed since: Background (removed)."
