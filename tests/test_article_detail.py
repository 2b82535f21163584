"""One article: everything a reader expects, in a fixed number of queries."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.related import related_articles


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


@pytest.fixture
def article(make_article):
    return make_article(
        title="AI in the Harbour",
        standfirst="Ports automate.",
        sections=[
            ("", "An introduction."),
            ("Cranes", "Cranes move *themselves*."),
            ("Customs", "Customs checks use vision models."),
        ],
        tags=["Logistics", "Hong Kong"],
    )


def test_title_standfirst_date_reading_time_and_sections_in_order(client, article):
    page = soup(client.get(article.get_absolute_url()))
    assert page.h1.get_text() == "AI in the Harbour"
    assert page.select_one(".article__standfirst").get_text() == "Ports automate."
    meta = page.select_one(".article__meta").get_text(" ", strip=True)
    assert "1 min read" in meta
    assert (
        page.select_one(".article__meta time")["datetime"]
        == article.published_at.astimezone(timezone.get_current_timezone()).isoformat()
    )
    sections = page.select("section.article__section")
    assert [s["id"] for s in sections] == ["introduction", "cranes", "customs"]
    assert sections[1].p.get_text() == "Cranes move themselves."
    assert sections[1].em.get_text() == "themselves"


def test_table_of_contents_links_to_each_section_anchor(client, article):
    page = soup(client.get(article.get_absolute_url()))
    links = page.select("nav.toc a")
    assert [(a.get_text(), a["href"]) for a in links] == [
        ("Introduction", "#introduction"),
        ("Cranes", "#cranes"),
        ("Customs", "#customs"),
    ]
    for link in links:
        assert page.find(id=link["href"][1:]) is not None


def test_tags_link_to_their_pages(client, article):
    page = soup(client.get(article.get_absolute_url()))
    tags = [(a.get_text(), a["href"]) for a in page.select(".article__footer a.tag")]
    assert tags == [
        ("Hong Kong", reverse("articles:tag", args=["hong-kong"])),
        ("Logistics", reverse("articles:tag", args=["logistics"])),
    ]


def test_reading_time_grows_with_length(client, make_article):
    long = make_article(sections=[("", "word " * 1000)])
    chinese = make_article(sections=[("", "香港" * 500)])
    assert long.reading_minutes == 5
    assert chinese.reading_minutes == 3
    assert "5 min read" in client.get(long.get_absolute_url()).content.decode()


def test_related_articles_most_shared_tags_first_at_most_three(client, make_article):
    now = timezone.now()
    main = make_article(tags=["A", "B", "C"])
    one = make_article(title="Shares one", tags=["A"], published_at=now - datetime.timedelta(1))
    three = make_article(title="Shares three", tags=["A", "B", "C"])
    two = make_article(title="Shares two", tags=["B", "C", "Z"])
    make_article(title="Shares one older", tags=["C"], published_at=now - datetime.timedelta(9))
    make_article(title="Shares none", tags=["Z"])
    make_article(title="Draft sharing all", tags=["A", "B", "C"], status=Article.Status.DRAFT)
    page = soup(client.get(main.get_absolute_url()))
    related = [a.get_text() for a in page.select("aside.related a")]
    assert related == [three.title, two.title, one.title]


def test_related_articles_come_from_each_topics_newest_articles(make_article):
    """The cost stays flat at any size: only each topic's newest `window` articles are
    candidates, so an old article drops out once enough newer ones share the topic."""
    main = make_article(tags=["A", "B"])
    old_all = make_article(title="Old, shares both", tags=["A", "B"])
    newer = [make_article(title=f"Newer {n}", tags=["A"]) for n in range(3)]
    titles = [a.title for a in related_articles(main, window=4)]
    assert titles == [old_all.title, newer[2].title, newer[1].title]
    make_article(tags=["A", "B"], title="Newest, shares both")
    for n in range(3):
        make_article(tags=["B"], title=f"B {n}")
    titles = [a.title for a in related_articles(main, window=4)]
    assert titles == ["Newest, shares both", "B 2", "B 1"]
    assert old_all.title in [a.title for a in related_articles(main, window=10)]


def test_no_related_section_without_shared_tags(client, make_article):
    lonely = make_article(tags=["Only"])
    assert soup(client.get(lonely.get_absolute_url())).select("aside.related") == []


@pytest.mark.parametrize(
    "path",
    [
        "/articles/no-such-article/",
        "/articles/" + "a" * 201 + "/",
        "/articles/" + "a" * 5000 + "/",
        "/articles/%00/",
        "/articles/..%2F..%2Fetc%2Fpasswd/",
        "/articles/<script>/",
        "/articles/caf%C3%A9'%22/",
        "/articles/%ff%fe/",
    ],
)
def test_unknown_or_odd_slugs_are_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"Traceback" not in response.content


def test_unicode_slug_is_served(client, make_article):
    article = make_article(slug="香港-ai", title="香港 AI")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "香港 AI" in response.content.decode()


def test_drafts_are_404_for_the_public_and_previewed_for_staff(
    client, make_article, django_user_model
):
    draft = make_article(status=Article.Status.DRAFT, title="Secret plans")
    assert client.get(draft.get_absolute_url()).status_code == 404

    editor = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(editor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Preview — not published" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]


def test_staff_without_permission_get_404(client, make_article, django_user_model):
    draft = make_article(status=Article.Status.DRAFT)
    client.force_login(django_user_model.objects.create_user("intern", is_staff=True))
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_published_article_has_no_preview_banner(client, article, admin_client):
    assert "Preview" not in admin_client.get(article.get_absolute_url()).content.decode()


def test_detail_query_count_is_flat(client, make_article, django_assert_num_queries):
    article = make_article(tags=["A", "B"])
    make_article(tags=["A"])
    # The content version (page cache), the article, its sections, its tags, its
    # bylines with their people, related articles, and the previous and next articles.
    with django_assert_num_queries(8):
        client.get(article.get_absolute_url())
    big = make_article(
        tags=[f"T{n}" for n in range(12)], sections=[(f"H{n}", "text") for n in range(40)]
    )
    for n in range(30):
        make_article(tags=[f"T{n % 12}", "A"])
    with django_assert_num_queries(8):
        response = client.get(big.get_absolute_url())
    assert len(soup(response).select("section.article__section")) == 40


def test_scheduled_article_preview_says_when(client, make_article, admin_user):
    later = timezone.now() + datetime.timedelta(days=3)
    article = make_article(title="Coming soon", published_at=later)
    assert client.get(article.get_absolute_url()).status_code == 404
    client.force_login(admin_user)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Preview — not published." in page
    assert "Scheduled for" in page
