"""Cards stored once per version of what they show (articles/fragments.py): a stored
card is never shown after what it shows has changed, whichever way the change was
written, and an edit to one article leaves the other cards stored."""

import datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Byline, Person

CARD = "includes/article_card.html"


def cards_rendered(response):
    return [t.name for t in response.templates].count(CARD)


def card_of(response, title):
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    for card in soup.select("article.card"):
        if card.select_one("h2").get_text(strip=True) == title:
            return card
    raise AssertionError(f"no card titled {title!r}")


@pytest.fixture
def three(make_article):
    now = timezone.now()
    made = [
        make_article(
            title=f"Story {n}",
            standfirst=f"What story {n} says.",
            published_at=now - datetime.timedelta(hours=n + 1),
            tags=[f"Topic {n}"],
        )
        for n in range(3)
    ]
    writer = Person.objects.create(name="Amy Wong", slug="amy-wong")
    Byline.objects.create(article=made[0], person=writer)
    return made


def test_an_edit_renders_again_only_the_edited_articles_card(client, three):
    first = client.get("/")
    assert cards_rendered(first) == 3
    again = client.get("/?page=1")  # another page address: the page cache cannot answer
    assert cards_rendered(again) == 0
    assert again.content.count(b'<article class="card') == 3

    story = three[1]
    story.title = "Story 1, corrected"
    story.save()
    after = client.get("/")
    assert cards_rendered(after) == 1
    assert card_of(after, "Story 1, corrected")


def _retitle(story):
    Article.objects.filter(pk=story.pk).update(title="A new title")
    return "A new title", lambda card: card.select_one("h2").get_text(strip=True)


def _restandfirst(story):
    Article.objects.filter(pk=story.pk).update(standfirst="A new standfirst.")
    return "A new standfirst.", lambda card: card.select_one(".card__standfirst").get_text()


def _rename_topic(story):
    Tag.objects.filter(name="Topic 0").update(name="Renamed topic")
    return "Renamed topic", lambda card: card.select_one("a.tag").get_text()


def _reslug_topic(story):
    Tag.objects.filter(name="Topic 0").update(slug="moved-topic")
    return "/tags/moved-topic/", lambda card: card.select_one("a.tag")["href"]


def _rename_writer(story):
    Person.objects.filter(slug="amy-wong").update(name="Amy Wong Ka-yan")
    return "Amy Wong Ka-yan", lambda card: card.select_one(".byline a").get_text()


def _move_date(story):
    when = story.published_at - datetime.timedelta(minutes=1)
    Article.objects.filter(pk=story.pk).update(published_at=when)
    shown = timezone.localtime(when).isoformat()
    return shown, lambda card: card.select_one("time")["datetime"]


def _change_language(story):
    Article.objects.filter(pk=story.pk).update(language="zh-Hant-HK")
    return "zh-Hant-HK", lambda card: card.get("lang")


@pytest.mark.parametrize(
    "change",
    [
        _retitle,
        _restandfirst,
        _rename_topic,
        _reslug_topic,
        _rename_writer,
        _move_date,
        _change_language,
    ],  # fmt: skip
)
def test_a_stored_card_is_never_shown_after_what_it_shows_changed(client, three, change):
    """Changed by update(), which sends no signal: the card's key is made of what it shows."""
    assert cards_rendered(client.get("/")) == 3
    wanted, read = change(three[0])
    response = client.get("/")
    title = Article.objects.get(pk=three[0].pk).title
    assert read(card_of(response, title)) == wanted
    assert cards_rendered(response) == 1  # the other two were stored


def test_a_lead_image_added_shows_on_the_stored_card(client, three, make_image):
    assert cards_rendered(client.get("/tags/topic-0/")) == 1
    image = make_image(alt_text="Harbour at dusk")
    Article.objects.filter(pk=three[0].pk).update(lead_image=image)
    card = card_of(client.get("/tags/topic-0/"), "Story 0")
    assert card.select_one("img")["alt"] == "Harbour at dusk"
    assert "card--image" in card["class"]


def test_the_same_article_has_a_card_per_interface_and_script(client, make_article):
    make_article(title="銀行試用機器學習", language="zh-Hant-HK", tags=["Finance"])
    english, traditional, simplified = (client.get(p) for p in ("/", "/zh-hant/", "/zh-hans/"))
    assert [cards_rendered(r) for r in (english, traditional, simplified)] == [1, 1, 1]
    assert card_of(english, "銀行試用機器學習").select_one(".card__meta")["lang"] == "en"
    assert card_of(simplified, "银行试用机器学习")  # in the reader's script
    assert cards_rendered(client.get("/zh-hans/?page=1")) == 0


def test_only_the_first_card_of_the_first_page_leads(client, make_article):
    now = timezone.now()
    for n in range(12):
        make_article(title=f"Story {n:02}", published_at=now - datetime.timedelta(hours=n + 1))
    first, second = client.get("/"), client.get("/?page=2")
    assert first.content.count(b"card--lead") == 1
    assert "card--lead" in card_of(first, "Story 00")["class"]
    assert b"card--lead" not in second.content
    assert b"card--lead" not in client.get("/tags/").content


BODY = "includes/article_body.html"


@pytest.fixture
def bodies_stored(settings):
    settings.FRAGMENT_BODIES = True  # as with REDIS_URL


def test_bodies_are_not_kept_in_each_workers_memory(client, three):
    url = three[0].get_absolute_url()
    assert bodies_rendered(client.get(url)) == 1
    three[2].save()  # the content version moves: the page cache misses
    assert bodies_rendered(client.get(url)) == 1


def bodies_rendered(response):
    return [t.name for t in response.templates].count(BODY)


def _new_section_text(story):
    from articles.models import Section

    words = " ".join(["word"] * 900)
    Section.objects.filter(article=story, position=1).update(
        heading="Longer details", body=words, body_html=f"<p>{words}</p>"
    )
    return lambda soup: (soup.select("section h2")[-1].get_text(), soup.select_one(
        ".article__meta span:last-child").get_text())  # fmt: skip


def _longer_source(story):
    """The text the reading time is counted from, alone (its HTML left as it was)."""
    from articles.models import Section

    Section.objects.filter(article=story, position=1).update(body=" ".join(["word"] * 900))
    return lambda soup: soup.select_one(".article__meta span:last-child").get_text()


def _renamed_topic_and_writer(story):
    Tag.objects.filter(name="Topic 0").update(name="Renamed topic")
    Person.objects.filter(slug="amy-wong").update(name="Amy Wong Ka-yan")
    return lambda soup: (soup.select_one("footer a.tag").get_text(), soup.select_one(
        ".byline a").get_text())  # fmt: skip


@pytest.mark.parametrize(
    "change, wanted",
    [
        (_new_section_text, ("Longer details", "4 min read")),  # from 1
        (_longer_source, "4 min read"),
        (_renamed_topic_and_writer, ("Renamed topic", "Amy Wong Ka-yan")),
    ],  # fmt: skip
)
def test_a_stored_article_body_is_never_shown_after_what_it_shows_changed(
    client, three, change, wanted, bodies_stored
):
    url = three[0].get_absolute_url()
    assert bodies_rendered(client.get(url)) == 1
    read = change(three[0])
    response = client.get(url)
    assert bodies_rendered(response) == 1
    assert read(BeautifulSoup(response.content.decode(), "html.parser")) == wanted


def test_an_edit_elsewhere_leaves_the_article_body_stored(client, three, bodies_stored):
    url = three[0].get_absolute_url()
    first = client.get(url)
    three[2].title = "Another story, edited"
    three[2].save()  # the content version moves: the page cache misses
    again = client.get(url)
    assert bodies_rendered(again) == 0
    assert again.content == first.content.replace(b"Story 2", b"Another story, edited")


def test_a_preview_body_is_never_stored(client, admin_client, make_article, bodies_stored):
    draft = make_article(title="Not out yet", status=Article.Status.DRAFT)
    url = f"/admin/articles/article/{draft.pk}/preview/"
    for _ in range(2):
        response = admin_client.get(url)
        assert response.status_code == 200 and bodies_rendered(response) == 1
    assert b"This article is a draft." in response.content


def test_a_site_under_another_prefix_has_its_own_cards(three):
    """The topic links are made as the card renders: the prefix is part of its key."""
    from django.urls import set_script_prefix

    from articles import fragments, loading
    from articles.views import ArticleListView

    def topic_link(prefix):
        story = ArticleListView.articles().get(pk=three[0].pk)
        loading.cards([story])
        set_script_prefix(prefix)
        try:
            fragments.cards([story], "en")
        finally:
            set_script_prefix("/")
        return BeautifulSoup(story.card_html, "html.parser").select_one("a.tag")["href"]

    assert topic_link("/") == "/tags/topic-0/"
    assert topic_link("/news/") == "/news/tags/topic-0/"
    assert topic_link("/") == "/tags/topic-0/"


def test_the_key_covers_the_templates_a_fragment_includes():
    from articles import fragments

    card = fragments.sources("includes/article_card.html")
    body = fragments.sources("includes/article_body.html")
    for included in ("includes/picture.html", "includes/tag_list.html"):
        source = Path(settings.BASE_DIR, "templates", included).read_text()
        assert source in card and source in body
    assert Path(settings.BASE_DIR, "templates/includes/figure.html").read_text() in body
