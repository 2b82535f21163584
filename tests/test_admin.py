"""The editors' admin: changelist, filters, search, inline sections, actions."""

import datetime
import json

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Section
from tests.helpers import change_url, form_data, form_fields, texts

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")


def test_changelist_shows_status_date_tags_and_section_count(admin_client, make_article):
    make_article(title="Counted", tags=["Finance", "Hong Kong"], sections=[("", "a")] * 3)
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert texts(response, "th.field-headline") == ["Counted"]
    assert texts(response, "td.field-state") == ["Published"]
    assert texts(response, "td.field-tag_list") == ["Finance, Hong Kong"]
    assert texts(response, "td.field-section_count") == ["3"]


def test_changelist_query_count_does_not_grow(admin_client, make_article):
    def count_queries():
        tag = Tag.objects.get(name="A").pk
        searches = [{}, {"status__exact": "published", "tags__id__exact": tag, "q": "article"}]
        counts = []
        for params in searches:
            with CaptureQueriesContext(connection) as queries:
                response = admin_client.get(CHANGELIST, params)
            assert response.status_code == 200
            assert "0 articles" not in response.content.decode()
            counts.append(len(queries))
        return counts

    for _ in range(3):
        make_article(tags=["A"])
    small = count_queries()
    for n in range(40):
        make_article(tags=["A", f"T{n}"], sections=[("", "x")] * 4)
    assert count_queries() == small


def test_filters_by_status_and_tag(admin_client, make_article):
    make_article(title="Live finance", tags=["Finance"])
    make_article(title="Draft finance", tags=["Finance"], status=Article.Status.DRAFT)
    make_article(title="Live health", tags=["Healthcare"])
    drafts = admin_client.get(CHANGELIST, {"status__exact": "draft"})
    assert texts(drafts, "#result_list th.field-headline") == ["Draft finance"]
    finance = Tag.objects.get(name="Finance")
    tagged = admin_client.get(CHANGELIST, {"tags__id__exact": finance.pk})
    assert sorted(texts(tagged, "#result_list th.field-headline")) == [
        "Draft finance",
        "Live finance",
    ]


def test_search_covers_titles_and_section_text(admin_client, make_article):
    make_article(title="Quantum banks", sections=[("Intro", "plain")])
    make_article(title="Other", sections=[("Robots", "Deep in the body: kowloon ferries")])
    assert texts(admin_client.get(CHANGELIST, {"q": "quantum"}), "th.field-headline") == [
        "Quantum banks"
    ]
    assert texts(admin_client.get(CHANGELIST, {"q": "ferries"}), "th.field-headline") == ["Other"]
    assert texts(admin_client.get(CHANGELIST, {"q": "robots"}), "th.field-headline") == ["Other"]


def test_add_article_with_sections_and_tags(admin_client, admin_user):
    data = form_data(admin_client.get(ADD))
    data.update(
        {
            "title": "Drones over Victoria Harbour",
            "slug": "drones-over-victoria-harbour",
            "standfirst": "A trial begins.",
            "tags": "Drones, Hong Kong",
            "status": "draft",
            "sections-TOTAL_FORMS": "2",
            "sections-0-heading": "",
            "sections-0-body": "The *trial* starts today.",
            "sections-1-heading": "Safety",
            "sections-1-body": "Pilots stay on the ground.",
        }
    )
    response = admin_client.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="drones-over-victoria-harbour")
    assert article.author == admin_user
    assert sorted(article.tags.names()) == ["Drones", "Hong Kong"]
    sections = list(article.sections.all())
    assert [(s.position, s.heading, s.anchor) for s in sections] == [
        (0, "", "introduction"),
        (1, "Safety", "safety"),
    ]
    assert "<em>trial</em>" in sections[0].body_html


def test_slug_is_filled_from_the_title(admin_client):
    page = BeautifulSoup(admin_client.get(ADD).content.decode(), "html.parser")
    constants = page.select_one("#django-admin-prepopulated-fields-constants")
    fields = json.loads(constants["data-prepopulated-fields"])
    assert fields[0]["id"] == "#id_slug"
    assert fields[0]["dependency_ids"] == ["#id_title"]


def test_sections_are_listed_in_position_order_and_can_be_swapped(admin_client, make_article):
    article = make_article(sections=[("First", "1"), ("Second", "2"), ("Third", "3")])
    response = admin_client.get(change_url(article))
    data = form_data(response, publish=True)
    headings = [data[f"sections-{n}-heading"] for n in range(3)]
    assert headings == ["First", "Second", "Third"]
    data["sections-0-position"], data["sections-2-position"] = "2", "0"
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 302
    assert [s.heading for s in article.sections.all()] == ["Third", "Second", "First"]


def test_swapping_anchors_and_deleting_a_section_in_one_save(admin_client, make_article):
    article = make_article(sections=[("One", "1"), ("Two", "2"), ("Three", "3")])
    data = form_data(admin_client.get(change_url(article)), publish=True)
    data["sections-0-anchor"], data["sections-1-anchor"] = "two", "one"
    data["sections-2-DELETE"] = "on"
    data["sections-0-position"] = "2"
    assert admin_client.post(change_url(article), data).status_code == 302
    assert [(s.heading, s.anchor, s.position) for s in article.sections.all()] == [
        ("Two", "one", 1),
        ("One", "two", 2),
    ]


def test_duplicate_anchor_is_a_form_error_and_saves_nothing(admin_client, make_article):
    article = make_article(title="Before", sections=[("One", "1"), ("Two", "2")])
    data = form_data(admin_client.get(change_url(article)), publish=True)
    data["title"] = "After"
    data["sections-1-anchor"] = "one"
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "Please correct the duplicate data for anchor" in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Before"
    assert [s.anchor for s in article.sections.all()] == ["one", "two"]


def test_new_sections_without_position_or_anchor_go_last(admin_client, make_article):
    article = make_article(sections=[("Same", "1")])
    data = form_data(admin_client.get(change_url(article)), publish=True)
    data.update(
        {
            "sections-TOTAL_FORMS": "3",
            "sections-1-heading": "Same",
            "sections-1-body": "2",
            "sections-2-heading": "Same",
            "sections-2-body": "3",
            "publish_anyway": "1",  # past the duplicate-heading check
        }
    )
    assert admin_client.post(change_url(article), data).status_code == 302
    assert [(s.position, s.anchor) for s in article.sections.all()] == [
        (0, "same"),
        (1, "same-2"),
        (2, "same-3"),
    ]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"title": ""}, "This field is required."),
        ({"slug": "has spaces!"}, "Enter a valid “slug”"),
        ({"title": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"published_at_0": "2026-13-45"}, "Enter a valid date."),
        ({"tags": "x" * 101}, "A topic name has at most 100 characters"),
        ({"sections-0-position": "2147483000"}, "Ensure this value is less than or equal to"),
        ({"sections-0-anchor": "main"}, "is used by the page itself"),
    ],
)
def test_bad_input_is_a_form_error(admin_client, make_article, change, message):
    article = make_article(title="Kept")
    data = form_data(admin_client.get(change_url(article)), publish=True)
    data.update(change)
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Kept"


def test_duplicate_slug_is_a_form_error(admin_client, make_article):
    make_article(slug="taken")
    data = form_data(admin_client.get(ADD))
    data.update({"title": "New", "slug": "taken", "status": "draft"})
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    assert "Article with this Slug already exists." in response.content.decode()


def test_publish_and_unpublish_several_at_once(admin_client, make_article):
    drafts = [make_article(status=Article.Status.DRAFT) for _ in range(3)]
    scheduled_at = timezone.now() + datetime.timedelta(days=3)
    drafts[2].published_at = scheduled_at
    drafts[2].save()
    response = admin_client.post(
        CHANGELIST,
        {"action": "publish", "_selected_action": [a.pk for a in drafts]},
        follow=True,
    )
    assert "Published 3 articles." in response.content.decode()
    for article in drafts:
        article.refresh_from_db()
        assert article.status == Article.Status.PUBLISHED
    assert drafts[0].is_published
    assert drafts[2].published_at == scheduled_at  # a scheduled time is kept
    response = admin_client.post(
        CHANGELIST,
        {"action": "unpublish", "_selected_action": [drafts[0].pk, drafts[1].pk]},
        follow=True,
    )
    assert "Unpublished 2 articles." in response.content.decode()
    assert Article.objects.published().count() == 0


def test_view_on_site_leads_to_the_article(admin_client, make_article):
    article = make_article()
    page = BeautifulSoup(admin_client.get(change_url(article)).content.decode(), "html.parser")
    link = page.select_one("a.viewsitelink")["href"]
    response = admin_client.get(link)
    assert response.status_code == 302
    assert response["Location"].endswith(article.get_absolute_url())


def test_admin_requires_login(client, db):
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_section_rows_unique_per_article(make_article):
    from django.db import IntegrityError, transaction

    article = make_article(sections=[("A", "a")])
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.create(article=article, position=0, heading="B", anchor="b")


def test_a_form_missing_existing_sections_cannot_collide_with_them(admin_client, make_article):
    """A stale or forged form that leaves out existing sections (found by the property
    tests: once a 500) gets form errors or places new sections after them."""
    article = make_article(sections=[("One", "1"), ("Two", "2")])
    data = form_data(admin_client.get(change_url(article)), publish=True)
    data.update({"sections-TOTAL_FORMS": "1", "sections-INITIAL_FORMS": "0"})
    data.update({"sections-0-position": "0", "sections-0-heading": "New", "sections-0-body": "x"})
    data["sections-0-anchor"] = ""
    for key in [k for k in data if k.startswith("sections-0-") and k.endswith(("-id", "-DELETE"))]:
        del data[key]
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "Another section of this article has this position." in response.content.decode()
    data["sections-0-position"] = ""
    assert admin_client.post(change_url(article), data).status_code == 302
    assert [(s.position, s.heading) for s in article.sections.all()] == [
        (0, "One"),
        (1, "Two"),
        (2, "New"),
    ]


def add_form(admin_client, **fields):
    data = form_data(admin_client.get(ADD))
    data.update({"title": "Dated", "slug": "dated", "status": "published", **fields})
    data["publish_anyway"] = "1"  # no standfirst, an empty section: checks/warnings
    return data


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"])
def test_a_publication_date_outside_the_range_is_a_form_error(admin_client, day):
    data = add_form(admin_client, published_at_0=day, published_at_1="00:00")
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    errors = texts(response, ".field-published_at .errorlist")
    assert errors == [f"Choose a date between 1 January 1900 and 31 December 2200; {day} is not."]
    assert not Article.objects.filter(slug="dated").exists()


@pytest.mark.parametrize("day", ["1900-01-01", "2200-12-31"])
def test_the_first_and_last_days_of_the_range_are_accepted(admin_client, day):
    response = admin_client.post(
        ADD, add_form(admin_client, published_at_0=day, published_at_1="12:00")
    )
    assert response.status_code == 302, texts(response, ".errorlist")
    saved = timezone.localtime(Article.objects.get(slug="dated").published_at)
    assert saved.date().isoformat() == day


@pytest.mark.parametrize(
    "params",
    [
        {"published_at__year": "1"},
        {"published_at__year": "9999"},
        {"published_at__year": "99999999999999999999"},
        {"published_at__year": "x"},
        {"published_at__year": "2026", "published_at__month": "13"},
        {"published_at__year": "2026", "published_at__month": "12", "published_at__day": "32"},
        {"published_at__year": "2200", "published_at__month": "12", "published_at__day": "31"},
        {"published_at__month": "99999999999999999999"},
    ],
)
def test_changelist_ignores_out_of_range_dates(admin_client, make_article, params):
    make_article(title="Listed")
    response = admin_client.get(CHANGELIST, params, follow=True)
    assert response.status_code == 200
    assert texts(response, "#result_list th.field-headline") in ([], ["Listed"])


def test_changelist_date_drill_down_still_works(admin_client, make_article):
    make_article(title="In 2025", published_at=timezone.make_aware(datetime.datetime(2025, 6, 1)))
    make_article(title="In 2024", published_at=timezone.make_aware(datetime.datetime(2024, 6, 1)))
    response = admin_client.get(CHANGELIST, {"published_at__year": "2025"})
    assert texts(response, "#result_list th.field-headline") == ["In 2025"]


def test_a_section_over_the_length_limit_is_a_form_error(admin_client):
    data = add_form(admin_client, status="draft")
    data.update({"sections-TOTAL_FORMS": "1", "sections-0-body": "x" * 200_001})
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    assert texts(response, ".field-body .errorlist") == [
        "A section has at most 200,000 characters; this one has 200,001. "
        "Split it into several sections."
    ]
    assert not Article.objects.filter(slug="dated").exists()
    data["sections-0-body"] = "y" * 200_000  # at the limit
    assert admin_client.post(ADD, data).status_code == 302
    assert len(Section.objects.get(article__slug="dated").body) == 200_000


@pytest.mark.parametrize(
    "url",
    [
        CHANGELIST,
        reverse("admin:taggit_tag_changelist"),
        reverse("admin:auth_user_changelist"),
    ],
)
@pytest.mark.parametrize("q", ["x" * 60_000, "a " * 3_000, "nul\x00byte"])
def test_changelist_search_of_any_length_is_answered(admin_client, make_article, url, q):
    make_article(title="Listed", tags=["Finance"])
    assert admin_client.get(url, {"q": q}).status_code == 200


def test_changelist_search_reads_the_first_words(admin_client, make_article):
    make_article(title="Quantum banks")
    make_article(title="Other")
    long_query = "quantum banks " * 5_000
    assert texts(admin_client.get(CHANGELIST, {"q": long_query}), "th.field-headline") == [
        "Quantum banks"
    ]


@pytest.mark.parametrize(
    "url, params",
    [
        (CHANGELIST, {"created_at__year": "1"}),
        (CHANGELIST, {"updated_at__date": "0001-01-01"}),
        (CHANGELIST, {"status__exact": "bogus\x00"}),
        (CHANGELIST, {"title": "\x00"}),
        (reverse("admin:auth_user_changelist"), {"date_joined__year": "1"}),
        (reverse("admin:auth_user_changelist"), {"username": "\x00"}),
    ],
)
def test_changelist_filters_that_fail_only_in_sql_are_answered(
    admin_client, make_article, url, params
):
    make_article(title="Listed")
    response = admin_client.get(url, params, follow=True)
    assert response.status_code == 200
    assert [url for url, _ in response.redirect_chain] in ([], [f"{url}?e=1"])


def test_author_autocomplete_with_a_huge_term(admin_client, make_article):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "articles",
            "model_name": "article",
            "field_name": "author",
            "term": "admin " * 20_000,
        },
    )
    assert response.status_code == 200


def test_a_user_date_outside_the_range_is_a_form_error(admin_client, admin_user):
    url = reverse("admin:auth_user_change", args=[admin_user.pk])
    data = form_fields(admin_client.get(url).content.decode(), "form#user_form")
    data.update({"date_joined_0": "0001-01-01", "date_joined_1": "00:00"})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert texts(response, ".field-date_joined .errorlist") == [
        "Choose a date between 1 January 1900 and 31 December 2200; 0001-01-01 is not."
    ]
    admin_user.refresh_from_db()
    assert admin_user.date_joined.year > 2000
