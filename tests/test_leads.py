"""A chosen lead: Editors pin up to three articles, in order, to lead the home page;
otherwise the newest leads. Only visible articles lead, and a pin shows at once."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, LeadStory
from tests.helpers import texts

HOUR = datetime.timedelta(hours=1)
ADD = reverse("admin:articles_leadstory_add")


def cards(client, url="/"):
    """The titles of the cards on a page, the lead card marked with a star."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get(url).content.decode(), "html.parser")
    return [
        ("*" if "card--lead" in card["class"] else "") + card.select_one(".card__title").get_text()
        for card in page.select("article.card")
    ]


@pytest.fixture
def three(make_article):
    now = timezone.now()
    return [
        make_article(title=f"Story {n}", published_at=now - n * HOUR) for n in (1, 2, 3)
    ]  # Story 1 is the newest


def test_without_a_pin_the_newest_leads(client, three):
    assert cards(client) == ["*Story 1", "Story 2", "Story 3"]


def test_pinned_articles_lead_in_their_places_each_shown_once(client, three):
    LeadStory.objects.create(position=1, article=three[2])
    LeadStory.objects.create(position=2, article=three[1])
    assert cards(client) == ["*Story 3", "Story 2", "Story 1"]


def test_an_older_pinned_article_leads_and_keeps_its_place_further_on(client, make_article):
    now = timezone.now()
    old = make_article(title="Old but chosen", published_at=now - 100 * HOUR)
    for n in range(12):
        make_article(title=f"New {n}", published_at=now - n * HOUR)
    LeadStory.objects.create(position=1, article=old)
    first = cards(client)
    assert first[0] == "*Old but chosen" and len(first) == 11
    assert cards(client, "/?page=2")[-1] == "Old but chosen"
    old.tags.add("Harbour")  # a topic's page is a list by date, pins or not
    assert cards(client, reverse("articles:tag", args=["harbour"])) == ["Old but chosen"]


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"published_at": timezone.now() + HOUR},
        {"published_at": timezone.now() - 2 * HOUR, "expires_at": timezone.now() - HOUR},
    ],
    ids=["draft", "review", "scheduled", "expired"],
)
def test_a_pinned_article_readers_cannot_see_does_not_lead(client, three, make_article, fields):
    hidden = make_article(title="Hidden pin", **fields)
    LeadStory.objects.create(position=1, article=hidden)
    assert cards(client) == ["*Story 1", "Story 2", "Story 3"]


def test_a_pin_leads_from_its_publication_to_its_expiry_without_a_write(client, three):
    now = timezone.now().replace(microsecond=0)
    pinned = Article.objects.create(
        title="Timed lead",
        slug="timed-lead",
        status=Article.Status.PUBLISHED,
        published_at=now + HOUR,
        expires_at=now + 2 * HOUR,
    )
    LeadStory.objects.create(position=1, article=pinned)
    assert cards(client)[0] == "*Story 1"
    with time_machine.travel(now + HOUR, tick=False) as clock:
        assert cards(client)[0] == "*Timed lead"
        clock.move_to(now + 2 * HOUR)
        assert cards(client)[0] == "*Story 1"


def test_the_data_holds_the_limits(three, make_article):
    LeadStory.objects.create(position=1, article=three[0])
    for bad in [
        {"position": 4, "article": three[1]},  # three places at most
        {"position": 0, "article": three[1]},
        {"position": 1, "article": three[1]},  # one article per place
        {"position": 2, "article": three[0]},  # one place per article
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            LeadStory.objects.create(**bad)
    assert LeadStory.objects.count() == 1


# Through the admin.


def test_an_editor_pins_and_the_cached_home_page_changes_at_once(client, client_for, editor, three):
    assert cards(client)[0] == "*Story 1"
    assert cards(client)[0] == "*Story 1"  # from the page cache
    session = client_for(editor)
    response = session.post(ADD, {"position": 1, "article": three[2].pk})
    assert response.status_code == 302
    assert cards(client)[0] == "*Story 3"
    listing = texts(session.get(reverse("admin:articles_leadstory_changelist")), "td.field-shown")
    assert listing == ["Leads the home page"]
    lead = LeadStory.objects.get()
    assert lead.pinned_by == editor
    delete = reverse("admin:articles_leadstory_delete", args=[lead.pk])
    assert session.post(delete, {"post": "yes"}).status_code == 302
    assert cards(client)[0] == "*Story 1"


def test_the_admin_says_why_a_pin_does_not_lead(client_for, editor, make_article):
    draft = make_article(title="Not yet", status=Article.Status.DRAFT)
    LeadStory.objects.create(position=1, article=draft)
    session = client_for(editor)
    listing = texts(session.get(reverse("admin:articles_leadstory_changelist")), "td.field-shown")
    assert listing == ["Not shown: draft"]


@pytest.mark.parametrize(
    "data, error",
    [
        ({"position": 4}, "Select a valid choice"),
        ({"position": "first"}, "Select a valid choice"),
        ({"position": 2}, "Home page lead with this Article already exists"),
        ({"position": 1, "other": True}, "Home page lead with this Place already exists"),
    ],
)
def test_bad_pins_are_form_errors(client_for, editor, three, data, error):
    LeadStory.objects.create(position=1, article=three[0])
    article = three[1] if data.pop("other", False) else three[0]
    response = client_for(editor).post(ADD, {"article": article.pk, **data})
    assert response.status_code == 200 and error in response.content.decode()
    assert LeadStory.objects.count() == 1


def test_an_author_cannot_pin_with_a_forged_request(client, client_for, author, three):
    session = client_for(author)
    assert session.post(ADD, {"position": 1, "article": three[2].pk}).status_code == 403
    assert not LeadStory.objects.exists()
    lead = LeadStory.objects.create(position=1, article=three[2])
    change = reverse("admin:articles_leadstory_change", args=[lead.pk])
    assert session.post(change, {"position": 1, "article": three[0].pk}).status_code == 403
    delete = reverse("admin:articles_leadstory_delete", args=[lead.pk])
    assert session.post(delete, {"post": "yes"}).status_code == 403
    assert LeadStory.objects.get().article == three[2]
    assert cards(client)[0] == "*Story 3"


# Query counts.


def test_home_page_query_count_with_pinned_leads_is_flat(
    client, make_article, django_assert_num_queries
):
    now = timezone.now()
    for n in range(5):
        make_article(tags=["Finance"], published_at=now - n * HOUR)
    chosen = make_article(tags=["Ports"], published_at=now - 50 * HOUR)
    LeadStory.objects.create(position=1, article=chosen)
    # The content version (page cache), COUNT for the paginator, the page of articles,
    # the pinned leads, then the topics and the bylines of every card shown (leads and
    # page together).
    with django_assert_num_queries(6):
        assert client.get("/").status_code == 200
    for n in range(30):
        make_article(tags=["Regulation", f"Topic {n}"], published_at=now - n * HOUR)
    second = make_article(tags=["Ports", "Ships"], published_at=now - 60 * HOUR)
    LeadStory.objects.create(position=2, article=second)
    with django_assert_num_queries(6):
        assert client.get("/").status_code == 200
    assert cards(client)[:2] == [f"*{chosen.title}", second.title]
