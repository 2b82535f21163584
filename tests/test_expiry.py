"""Expiry: an article leaves every public surface at its "Live until" time, with no
write at that moment, and the page cache is never stale about it."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from articles import cache
from articles.models import Article, live_state_q, published_count, published_q, waiting_q
from tests.helpers import change_url, form_data, texts

HOUR = datetime.timedelta(hours=1)
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def body(client, url):
    response = client.get(url)
    return response.status_code, response.content.decode()


def local_fields(when):
    when = timezone.localtime(when)
    return when.strftime("%Y-%m-%d"), when.strftime("%H:%M:%S")


@pytest.fixture
def start():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def pair(make_article, start):
    """`stays` and `goes` share a topic and a word; `goes`, the older (its expiry is
    not the newest article's leaving), leaves at `start` + 1 hour and alone has the
    topic "Solo"."""
    stays = make_article(
        title="Stays on",
        tags=["Shared"],
        sections=[("", "durian stays")],
        published_at=start - HOUR / 4,
    )
    goes = make_article(
        title="Gone soon",
        tags=["Shared", "Solo"],
        sections=[("", "durian goes")],
        published_at=start - HOUR / 2,
        expires_at=start + HOUR,
    )
    return stays, goes


SURFACES = [
    "/",
    "/tags/shared/",
    "/feed/",
    "/feed/atom/",
    "/tags/shared/feed/",
    "/search/?q=durian",
    "/sitemap-articles.xml",
    "/llms.txt",
    "/api/articles",
    "/api/search?q=durian",
]


def test_an_expired_article_leaves_every_public_surface_on_time_without_a_write(
    client, pair, start
):
    stays, goes = pair
    for url in SURFACES:  # each page now in the cache, with the article
        status, text = body(client, url)
        assert status == 200 and goes.slug in text, url
    assert client.get(goes.get_absolute_url()).status_code == 200
    assert "Gone soon" in body(client, stays.get_absolute_url())[1]  # related, next
    assert "2 articles" in body(client, "/tags/")[1]
    assert client.get("/tags/solo/").status_code == 200
    with time_machine.travel(start + HOUR, tick=False):
        with CaptureQueriesContext(connection) as captured:
            for url in SURFACES:
                status, text = body(client, url)
                assert status == 200 and stays.slug in text, url
                assert goes.slug not in text and "Gone soon" not in text, url
            for url in [
                goes.get_absolute_url(),
                f"/articles/{goes.slug}.md",
                f"/api/articles/{goes.slug}",
                "/tags/solo/",
                "/tags/solo/feed/",
            ]:
                assert client.get(url).status_code == 404, url
            page = body(client, stays.get_absolute_url())[1]
            assert "Gone soon" not in page  # neither related nor previous/next
            topics = body(client, "/tags/")[1]
            assert "Solo" not in topics and "1 article" in topics
            api = {t["name"]: t["article_count"] for t in client.get("/api/tags").json()}
            assert api == {"Shared": 1}
        assert not [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(WRITES)]


@pytest.fixture
def listener_closed_after():
    yield
    cache._SESSION.close()  # PostgreSQL: its session would keep the test database open


@pytest.mark.django_db(transaction=True)
def test_the_page_cache_serves_the_article_up_to_its_expiry_second_and_never_after(
    client, make_article, start, listener_closed_after
):
    """With no write in between: on SQLite the state is remembered until the next
    expiry, on PostgreSQL (transaction=True: the listener is used) likewise."""
    until = start + HOUR
    article = make_article(title="Until the hour", published_at=start - HOUR, expires_at=until)
    url = article.get_absolute_url()
    with time_machine.travel(until - datetime.timedelta(seconds=1), tick=False) as clock:
        assert client.get(url).status_code == 200
        assert "Until the hour" in body(client, "/")[1]
        client.get(url)  # the state is now remembered (and, on PostgreSQL, listened for)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
            assert "Until the hour" in body(client, "/")[1]
        assert len(captured) == 0, [q["sql"] for q in captured]  # the cache answered
        clock.move_to(until - datetime.timedelta(microseconds=1))
        assert client.get(url).status_code == 200
        clock.move_to(until)
        assert client.get(url).status_code == 404
        assert "Until the hour" not in body(client, "/")[1]
        clock.move_to(until + datetime.timedelta(days=1))
        assert client.get(url).status_code == 404


def test_last_modified_moves_to_the_expiry(client, pair, start):
    with time_machine.travel(start + 2 * HOUR, tick=False):
        response = client.get("/")
    assert response["Last-Modified"] == http_date((start + HOUR).timestamp())


def test_the_time_rule_and_its_complement_partition_with_expiry(make_article, start):
    """Every live-state article is shown or waiting, never both, at every moment, for
    every pair of times the constraint allows."""
    times = [None, start - HOUR, start, start + HOUR]
    made = {}
    for at in times:
        for until in times:
            if at is not None and until is not None and until <= at:
                continue  # refused by the CHECK constraint
            made[make_article(published_at=at, expires_at=until).pk] = (at, until)
    make_article(status=Article.Status.DRAFT, published_at=start - HOUR, expires_at=start + HOUR)

    def ids(q):
        return set(Article.objects.filter(q).values_list("pk", flat=True))

    live = ids(live_state_q())
    for now in [start - 2 * HOUR, start, start + HOUR, start + 2 * HOUR]:
        shown, waiting = ids(published_q(now=now)), ids(waiting_q(now=now))
        assert shown | waiting == live and not shown & waiting, now
        expected = {
            pk
            for pk, (at, until) in made.items()
            if at is not None and at <= now and (until is None or until > now)
        }
        assert shown == expected, now
        with time_machine.travel(now, tick=False):  # the property for one article agrees
            assert {a.pk for a in Article.objects.all() if a.is_published} == shown, now
    # Each waiting part is a range on an index, not a walk of every published article.
    if connection.vendor == "sqlite":
        plan = Article.objects.filter(waiting_q(now=start)).values("pk").explain()
        assert "article_published_order (status=? AND published_at>?)" in plan, plan
        assert "article_expiry (status=? AND expires_at<?)" in plan, plan


def test_the_database_refuses_an_expiry_before_the_publication(make_article, start):
    article = make_article(published_at=start)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(expires_at=start)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(expires_at=start - HOUR)
    Article.objects.filter(pk=article.pk).update(expires_at=start + datetime.timedelta(seconds=1))


def test_the_state_query_reads_each_time_off_an_index(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL chooses by its statistics")
    sql, params, _ = cache._state_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(row[-1] for row in cursor.fetchall())
    assert "MULTI-INDEX OR" not in plan and "TEMP B-TREE" not in plan, plan
    assert plan.count("article_expiry") == 2, plan


def test_the_published_count_reads_the_waiting_ranges_not_every_article(make_article):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL chooses by its statistics")
    make_article(expires_at=timezone.now() + HOUR)
    with CaptureQueriesContext(connection) as captured:
        assert published_count() == 1
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {captured[0]['sql']}")
        plan = "\n".join(row[-1] for row in cursor.fetchall())
    assert "SCAN" not in plan and "TEMP B-TREE" not in plan, plan  # no walk, no grouping
    assert "article_expiry (status=? AND expires_at<?)" in plan, plan


# The admin.


def test_an_editor_sets_an_expiry_and_the_admin_says_live_until(client_for, editor, make_article):
    article = make_article(title="Licensed for a week")
    session = client_for(editor)
    data = form_data(session.get(change_url(article)), publish=True)
    until = timezone.now().replace(microsecond=0) + datetime.timedelta(days=7)
    data["expires_at_0"], data["expires_at_1"] = local_fields(until)
    response = session.post(change_url(article), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert article.expires_at == until
    when = timezone.localtime(until).strftime("%-d %b %Y %H:%M")
    form = session.get(change_url(article)).content.decode()
    assert "Live until" in form and when in form
    listing = texts(session.get(reverse("admin:articles_article_changelist")), "td.field-state")
    assert listing == [f"Published · live until {when}:{until.second:02d}"]
    history = texts(session.get(reverse("admin:articles_article_history", args=[article.pk])), "td")
    assert any(f"Live until {when}" in cell for cell in history)


def test_the_list_says_expired_and_filters_by_it(client_for, editor, make_article, start):
    expired = make_article(
        title="Old offer", published_at=start - 2 * HOUR, expires_at=start - HOUR
    )
    make_article(title="Still on", published_at=start - HOUR, expires_at=start + HOUR)
    make_article(title="No expiry")
    session = client_for(editor)
    changelist = reverse("admin:articles_article_changelist")
    states = texts(session.get(changelist), "td.field-state")
    assert any(state.startswith("Expired ") for state in states), states
    assert texts(session.get(f"{changelist}?expiry=expired"), "th.field-headline") == ["Old offer"]
    assert texts(session.get(f"{changelist}?expiry=expires"), "th.field-headline") == ["Still on"]
    form = session.get(change_url(expired)).content.decode()
    assert "readers no longer see it" in form


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"expires_at_0": "2020-01-01", "expires_at_1": "00:00:00"}, "leave the site before"),
        ({"expires_at_0": "2026-13-45", "expires_at_1": "25:61:00"}, "Enter a valid"),
        ({"expires_at_0": "tomorrow", "expires_at_1": "noon"}, "Enter a valid"),
        ({"expires_at_0": "9999-12-31", "expires_at_1": "23:59:59"}, "Choose a date between"),
    ],
)
def test_a_bad_expiry_is_a_form_error_and_nothing_is_saved(
    client_for, editor, make_article, fields, error
):
    article = make_article(title="Kept as it was")
    session = client_for(editor)
    data = {**form_data(session.get(change_url(article)), publish=True), **fields}
    data["title"] = "Changed title"
    response = session.post(change_url(article), data)
    assert response.status_code == 200 and error in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Kept as it was" and article.expires_at is None


def test_publishing_with_no_time_and_a_past_expiry_is_a_form_error(
    client_for, editor, make_article, start
):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    session = client_for(editor)
    data = form_data(session.get(change_url(draft)))
    data["status"] = Article.Status.PUBLISHED
    data["expires_at_0"], data["expires_at_1"] = local_fields(start - HOUR)
    response = session.post(change_url(draft), data)
    assert response.status_code == 200
    assert "leave the site before it appears" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_the_publish_action_leaves_articles_past_their_expiry(
    client_for, editor, make_article, start
):
    ok = make_article(status=Article.Status.DRAFT, published_at=None)
    late = make_article(status=Article.Status.DRAFT, published_at=None, expires_at=start - HOUR)
    session = client_for(editor)
    response = session.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [ok.pk, late.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 article was not published" in response.content.decode()
    ok.refresh_from_db(), late.refresh_from_db()
    assert ok.is_published and late.status == Article.Status.DRAFT and late.published_at is None


def test_an_author_cannot_set_an_expiry_with_a_forged_request(
    client_for, author, make_article, start
):
    mine = make_article(author=author, status=Article.Status.DRAFT, published_at=None)
    session = client_for(author)
    page = session.get(change_url(mine)).content.decode()
    assert 'name="expires_at_0"' not in page
    data = form_data(session.get(change_url(mine)))
    data["expires_at_0"], data["expires_at_1"] = local_fields(start + HOUR)
    assert session.post(change_url(mine), data).status_code == 302
    mine.refresh_from_db()
    assert mine.expires_at is None


def test_an_authors_draft_changes_cannot_carry_an_expiry_and_keep_the_live_one(
    client_for, author, editor, make_article, start
):
    """Draft changes to a live article drop a forged expiry, and an Editor publishing
    them keeps the article's own."""
    until = start + 5 * HOUR
    live = make_article(author=author, expires_at=until)
    session = client_for(author)
    data = form_data(session.get(change_url(live)))
    data["title"] = "Author's better title"
    data["expires_at_0"], data["expires_at_1"] = local_fields(start + 50 * HOUR)
    assert session.post(change_url(live), data).status_code == 302
    assert "expires_at_0" not in live.draft.data
    editing = client_for(editor)
    data = form_data(editing.get(change_url(live)), publish=True)
    assert editing.post(change_url(live), data).status_code == 302
    live.refresh_from_db()
    assert live.title == "Author's better title" and live.expires_at == until


def test_staff_still_open_an_expired_article_as_a_preview(admin_client, make_article, start):
    article = make_article(published_at=start - 2 * HOUR, expires_at=start - HOUR)
    response = admin_client.get(article.get_absolute_url())
    banner = texts(response, ".preview-banner")
    assert response.status_code == 200 and banner == ["Preview — not published."]
    assert "no-cache" in response["Cache-Control"]
