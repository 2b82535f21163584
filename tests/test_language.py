"""An article's language: chosen by the editor or found from its text, and carried
wherever the article is shown."""

import pytest
from django.urls import reverse

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
