"""An article's language: chosen by the editor or found from its text, and carried
wherever the article is shown."""

import json
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.helpers import form_data

ADD = reverse("admin:articles_article_add")
# Synthetic text, written for these tests.
TRADITIONAL = ("測試標題：機器學習與數據", "這是一段測試文字，用來檢查繁體中文的文章語言。")
SIMPLIFIED = ("测试标题：机器学习与数据", "这是一段测试文字，用来检查简体中文的文章语言。")


def add_article(admin_client, title, body, **fields):
    data = form_data(admin_client.get(ADD))
    data.update(
        {
            "title": title,
            "slug": "language-test",
            "status": "draft",
            "sections-TOTAL_FORMS": "1",
            "sections-0-heading": "",
            "sections-0-body": body,
            **fields,
        }
    )
    response = admin_client.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Article.objects.get(slug="language-test")


@pytest.mark.parametrize(
    "title, body, expected",
    [
        ("Drones over Victoria Harbour", "A trial begins with 香港 pilots.", "en"),
        (*TRADITIONAL, "zh-Hant-HK"),
        (*SIMPLIFIED, "zh-Hans"),
        ("ChatGPT 測試", "這是一段關於 AI 模型的測試文字。", "zh-Hant-HK"),
    ],
)
def test_a_blank_language_is_found_from_the_text(admin_client, title, body, expected):
    assert add_article(admin_client, title, body, language="").language == expected


def test_the_editors_choice_is_kept(admin_client):
    article = add_article(admin_client, *TRADITIONAL, language="en")
    assert article.language == "en"


def test_the_admin_form_offers_the_three_languages(admin_client):
    page = admin_client.get(ADD).content.decode()
    for value in ('value="en"', 'value="zh-Hant-HK"', 'value="zh-Hans"'):
        assert value in page


def test_an_unknown_language_is_a_form_error(admin_client):
    data = form_data(admin_client.get(ADD))
    data.update({"title": "T", "slug": "t", "status": "draft", "language": "fr"})
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    assert not Article.objects.filter(slug="t").exists()


@pytest.mark.django_db(transaction=True)
def test_existing_articles_get_the_language_of_their_text():
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    call_command("migrate", "articles", "0014", verbosity=0)
    old = MigrationExecutor(connection).loader.project_state(("articles", "0014_images")).apps
    OldArticle, OldSection = (
        old.get_model("articles", "Article"),
        old.get_model("articles", "Section"),
    )
    for slug, (title, body) in {
        "english": ("Drones over Victoria Harbour", "A trial begins."),
        "traditional": TRADITIONAL,
        "simplified": SIMPLIFIED,
    }.items():
        article = OldArticle.objects.create(title=title, slug=slug)
        OldSection.objects.create(article=article, position=0, anchor="intro", body=body)
    call_command("migrate", verbosity=0)
    assert dict(Article.objects.values_list("slug", "language")) == {
        "english": "en",
        "traditional": "zh-Hant-HK",
        "simplified": "zh-Hans",
    }


def chinese_article(make_article, **fields):
    title, body = TRADITIONAL
    return make_article(
        title=title, standfirst="", language="zh-Hant-HK", sections=[("", body)], **fields
    )


def test_the_article_element_carries_the_articles_language(client, make_article):
    chinese, english = chinese_article(make_article), make_article()
    for article, language in [(chinese, "zh-Hant-HK"), (english, "en")]:
        page = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
        assert page.select_one("article.article")["lang"] == language
        data = json.loads(page.select_one('script[type="application/ld+json"]').string)
        assert data["inLanguage"] == language


def test_a_card_in_another_language_than_the_page_says_so(client, make_article):
    chinese_article(make_article, slug="chinese")
    make_article(slug="english")
    page = BeautifulSoup(client.get(reverse("articles:list")).content, "html.parser")
    cards = {card.select_one("a")["href"]: card.get("lang") for card in page.select(".card")}
    assert cards == {"/articles/chinese/": "zh-Hant-HK", "/articles/english/": None}


def test_related_and_neighbouring_titles_carry_their_language(client, make_article):
    now = timezone.now()
    chinese = chinese_article(make_article, tags=["AI"], published_at=now - timedelta(days=2))
    english = make_article(tags=["AI"], published_at=now - timedelta(days=1))
    page = BeautifulSoup(client.get(english.get_absolute_url()).content, "html.parser")
    assert page.select_one('a[rel="prev"] span[lang]')["lang"] == "zh-Hant-HK"
    assert page.select_one(f'.related a[href="{chinese.get_absolute_url()}"]')["lang"] == (
        "zh-Hant-HK"
    )


def test_feeds_give_each_item_its_language(client, make_article):
    chinese_article(make_article)
    rss = ElementTree.fromstring(client.get(reverse("articles:feed")).content)
    assert rss.findtext("channel/language") == "en"
    assert rss.findtext("channel/item/{http://purl.org/dc/elements/1.1/}language") == ("zh-Hant-HK")
    atom = ElementTree.fromstring(client.get(reverse("articles:atom_feed")).content)
    entry = atom.find("{http://www.w3.org/2005/Atom}entry")
    assert entry.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-Hant-HK"


def test_the_api_and_markdown_give_the_language(client, make_article):
    article = chinese_article(make_article)
    items = client.get(reverse("api:articles")).json()["items"]
    assert items[0]["language"] == "zh-Hant-HK"
    assert (
        client.get(reverse("api:article", args=[article.slug])).json()["language"] == "zh-Hant-HK"
    )
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert schema["ArticleSummary"]["properties"]["language"]["enum"] == [
        "en",
        "zh-Hant-HK",
        "zh-Hans",
    ]
    markdown = client.get(f"/articles/{article.slug}.md").content.decode()
    assert "- Language: zh-Hant-HK\n" in markdown
