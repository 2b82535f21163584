"""The database tracks change: whichever way content is written, readers see the new
page on the very next request, counts stay exact, and reading never writes."""

import datetime
import io
import json
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion import create_revision
from reversion.models import Version
from taggit.models import Tag

from articles import cache, models, prepared, topics
from articles.models import Article, Section, SlugRedirect, TaggedArticle, TopicCount
from articles.topics import merge_tags
from tests.helpers import change_url, form_data

HOUR = datetime.timedelta(hours=1)
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def counts_from_scratch():
    """Every tag's published articles, counted the slow way."""
    live = models.published_q("articles_taggedarticle_items__content_object__")
    tags = Tag.objects.annotate(n=Count("articles_taggedarticle_items", filter=live))
    return {tag.pk: tag.n for tag in tags if tag.n}


def counts_shown():
    """Each topic's count as readers see it; and the total (the list's pages) is exact."""
    assert models.published_count() == Article.objects.published().count()
    return {tag.pk: tag.article_count for tag in topics.topics()}


# Every write path moves the content version.


def test_a_raw_sql_update_shows_on_the_next_request(client, make_article):
    article = make_article(title="Old headline")
    assert "Old headline" in page(client, "/")
    assert "Old headline" in page(client, "/")  # now from the cache
    with connection.cursor() as cursor:
        cursor.execute("UPDATE articles_article SET title = %s WHERE id = %s", ["Raw", article.pk])
    assert "Raw" in page(client, "/") and "Old headline" not in page(client, "/")


def test_queryset_update_and_delete_show_at_once(client, make_article):
    article = make_article(title="Updated in bulk")
    assert "Updated in bulk" in page(client, "/")
    Article.objects.filter(pk=article.pk).update(title="Bulk title")
    assert "Bulk title" in page(client, "/")
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert "Bulk title" not in page(client, "/")
    assert client.get(article.get_absolute_url()).status_code == 404


def test_bulk_created_sections_show_at_once(client, make_article):
    article = make_article(sections=[("One", "first")])
    assert "added in bulk" not in page(client, article.get_absolute_url())
    Section.objects.bulk_create([Section(article=article, position=5, heading="Two", body="x")])
    Section.objects.filter(article=article, position=5).update(body_html="<p>added in bulk</p>")
    assert "added in bulk" in page(client, article.get_absolute_url())


def test_loaddata_shows_at_once(client, make_article, tmp_path):
    article = make_article(title="Before loaddata")
    assert "Before loaddata" in page(client, "/")
    dumped = io.StringIO()
    call_command("dumpdata", "articles.article", pks=str(article.pk), stdout=dumped)
    rows = json.loads(dumped.getvalue())
    rows[0]["fields"]["title"] = "After loaddata"
    fixture = tmp_path / "change.json"
    fixture.write_text(json.dumps(rows))
    call_command("loaddata", str(fixture), verbosity=0)  # raw saves, no signals
    assert "After loaddata" in page(client, "/")


def test_reverting_a_revision_shows_at_once(client, make_article):
    article = make_article(title="First wording")
    with create_revision():
        article.save()
    page(client, "/")
    Article.objects.filter(pk=article.pk).update(title="Second wording")
    assert "Second wording" in page(client, "/")
    Version.objects.get_for_object(article).first().revision.revert()  # raw saves
    assert "First wording" in page(client, "/")


def test_tag_rename_and_merge_show_at_once(client, make_article):
    make_article(tags=["Fintech"])
    make_article(tags=["Finance tech"])
    assert "Fintech" in page(client, "/tags/")
    Tag.objects.filter(name="Fintech").update(name="Financial technology")
    assert "Financial technology" in page(client, "/tags/")
    keep = Tag.objects.get(name="Financial technology")
    merge_tags(keep, [Tag.objects.get(name="Finance tech")])
    index = page(client, "/tags/")
    assert "Finance tech" not in index
    assert counts_shown() == counts_from_scratch() == {keep.pk: 2}


def test_tags_added_outside_a_transaction_show_at_once(client, make_article):
    article = make_article()
    page(client, article.get_absolute_url())
    article.tags.add("Quantum")  # several statements, each in its own transaction
    assert "Quantum" in page(client, article.get_absolute_url())
    assert page(client, reverse("articles:tag", args=["quantum"]))


def test_renaming_an_author_changes_the_byline(client, make_article):
    writer = models.Person.objects.create(name="Wendy", slug="wendy")
    article = make_article()
    models.Byline.objects.create(article=article, person=writer)
    assert "Wendy" in page(client, article.get_absolute_url())
    models.Person.objects.filter(pk=writer.pk).update(name="Winifred")
    assert "Winifred" in page(client, article.get_absolute_url())


def test_a_login_does_not_move_the_content_version(db, django_user_model):
    user = django_user_model.objects.create_user("reader")
    before = cache.current_version()[0]
    django_user_model.objects.filter(pk=user.pk).update(last_login=timezone.now())
    assert cache.current_version()[0] == before


# Scheduled times pass without any write.


def test_a_scheduled_article_appears_on_time_without_a_write(client, make_article):
    make_article(title="Already out", tags=["Zed"])
    start = timezone.now()
    make_article(title="On the hour", tags=["Zed"], published_at=start + HOUR)
    assert "On the hour" not in page(client, "/")
    assert "On the hour" not in page(client, "/")  # from the cache
    with time_machine.travel(start + 2 * HOUR):
        with CaptureQueriesContext(connection) as captured:
            assert "On the hour" in page(client, "/")
            assert "2 articles" in page(client, reverse("articles:tag", args=["zed"]))
        assert not [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(WRITES)]


def test_counts_are_exact_when_a_scheduled_article_went_live_unseen(
    client, admin_client, make_article
):
    """Observed: the article answered 200 while its only topic was 404, missing from
    /tags/ and /api/tags, and counted 0, because the admin wrote next."""
    start = timezone.now()
    scheduled = make_article(title="Zed arrives", tags=["Zed"], published_at=start + HOUR)
    other = make_article(title="Something else")
    assert client.get(reverse("articles:tag", args=["zed"])).status_code == 404
    with time_machine.travel(start + 2 * HOUR):
        data = form_data(admin_client.get(change_url(other)))
        data["title"] = "Something else, edited"
        assert admin_client.post(change_url(other), data).status_code == 302
        assert client.get(scheduled.get_absolute_url()).status_code == 200
        assert "Zed arrives" in page(client, reverse("articles:tag", args=["zed"]))
        assert "Zed" in page(client, "/tags/")
        api = client.get("/api/tags").json()
        assert [(t["name"], t["article_count"]) for t in api] == [("Zed", 1)]
        assert counts_shown() == counts_from_scratch()


def test_sixty_random_edits_keep_counts_exact(make_article):
    import random

    rng = random.Random(7)
    names = ["A", "B", "C", "D"]
    articles = [make_article(tags=rng.sample(names, 2)) for _ in range(6)]
    now = timezone.now()
    for _ in range(60):
        article = rng.choice(articles)
        step = rng.randrange(5)
        if step == 0:
            Article.objects.filter(pk=article.pk).update(status=rng.choice(Article.Status.values))
        elif step == 1:
            Article.objects.filter(pk=article.pk).update(
                published_at=now + rng.choice([-HOUR, HOUR]), status=Article.Status.PUBLISHED
            )
        elif step == 2:
            article.tags.set(rng.sample(names, rng.randint(0, 3)))
        elif step == 3:
            TaggedArticle.objects.filter(content_object=article).delete()
        else:
            replacement = make_article(tags=rng.sample(names, 2))
            articles[articles.index(article)] = replacement
            article.delete()
        assert counts_shown() == counts_from_scratch()


# One rule for "published".


def test_every_public_surface_obeys_the_one_published_rule(client, make_article, monkeypatch):
    """Add a condition to the rule: every page, feed, count and API answer follows."""
    shared = ["Shared"]
    visible = make_article(title="Plain visible", tags=shared, sections=[("", "mangosteen")])
    hidden = make_article(title="Hidden gem", tags=shared, sections=[("", "mangosteen")])
    rule, waiting = models.published_q, models.waiting_q

    def stricter(prefix="", now=None):
        return rule(prefix, now) & ~Q(**{f"{prefix}title__startswith": "Hidden"})

    def more_waiting(prefix="", now=None):  # the complement, kept beside the rule
        hidden = Q(**{f"{prefix}title__startswith": "Hidden"})
        return waiting(prefix, now) | (models.live_state_q(prefix) & hidden)

    monkeypatch.setattr(models, "published_q", stricter)
    monkeypatch.setattr(models, "waiting_q", more_waiting)
    monkeypatch.setattr(topics, "waiting_q", more_waiting)
    cache._state_sql.cache_clear()
    prepared.forget()  # the published count is compiled from the rule
    try:
        surfaces = [
            "/",
            reverse("articles:tag", args=["shared"]),
            "/tags/",
            "/feed/",
            "/search/?q=mangosteen",
            "/sitemap-articles.xml",
            "/llms.txt",
            "/api/articles",
            "/api/search?q=mangosteen",
        ]
        for url in surfaces:
            body = client.get(url).content.decode()
            assert url == "/tags/" or visible.slug in body, url
            assert "Hidden gem" not in body and hidden.slug not in body, url
        assert "1 article" in page(client, "/tags/")
        assert client.get(hidden.get_absolute_url()).status_code == 404
        assert client.get(f"/articles/{hidden.slug}.md").status_code == 404
        assert client.get(f"/api/articles/{hidden.slug}").status_code == 404
        assert counts_shown() == counts_from_scratch()
    finally:
        cache._state_sql.cache_clear()
        prepared.forget()


# Redirects are kept by the database too.


def test_every_rename_path_keeps_the_old_address(client, make_article):
    article = make_article(slug="slug-one")
    Article.objects.filter(pk=article.pk).update(slug="slug-two")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_article SET slug = 'slug-three' WHERE id = %s", [article.pk]
        )
    for old in ("slug-one", "slug-two"):
        response = client.get(f"/articles/{old}/")
        assert response.status_code == 301 and response["Location"] == "/articles/slug-three/"


def test_a_draft_taking_an_old_slug_removes_no_redirect(client, make_article):
    article = make_article(slug="first-name")
    Article.objects.filter(pk=article.pk).update(slug="second-name")
    make_article(slug="first-name", status=Article.Status.DRAFT)
    assert client.get("/articles/first-name/")["Location"] == "/articles/second-name/"
    Article.objects.filter(slug="first-name").update(status=Article.Status.PUBLISHED)
    assert not SlugRedirect.objects.filter(old_slug="first-name").exists()


# Reading never writes, and concurrent writers keep counts exact (PostgreSQL).

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="roles and row locks: the PostgreSQL leg"
)


@postgresql_only
def test_a_select_only_role_serves_every_public_page(client, make_article):
    start = timezone.now()
    make_article(title="Out now", tags=["Zed"])
    make_article(title="Later on", tags=["Zed"], published_at=start + HOUR)
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE hkai_reader_only NOLOGIN")
        cursor.execute("GRANT USAGE ON SCHEMA public TO hkai_reader_only")
        cursor.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO hkai_reader_only")
        cursor.execute("SET LOCAL ROLE hkai_reader_only")
        with pytest.raises(Exception, match="permission denied"), transaction.atomic():
            cursor.execute("UPDATE articles_article SET title = 'x'")
    urls = ["/", "/tags/", "/tags/zed/", "/feed/", "/sitemap.xml", "/search/?q=out", "/api/tags"]
    for url in urls:
        assert client.get(url).status_code == 200, url
    with time_machine.travel(start + 2 * HOUR):
        for url in urls:
            assert client.get(url).status_code == 200, url
        assert "Later on" in page(client, "/")


@postgresql_only
def test_the_time_of_a_change_is_never_ahead_of_the_clock(db):
    """PostgreSQL rounds a CAST to bigint: a change at .5 s or later was dated the next
    second, so its page carried a Last-Modified in the future (test_cache's 304 test
    then failed about one run in two)."""
    from articles.triggers import DIALECT

    moment = "timestamptz '2026-01-01 00:00:00.9+00'"
    expression = DIALECT["postgresql"]["now_seconds"].replace("now()", moment)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {expression}")
        assert cursor.fetchone()[0] == 1767225600


@postgresql_only
def test_a_raw_truncate_shows_at_once_and_keeps_counts_exact(client, make_article):
    """TRUNCATE fires no INSERT, UPDATE or DELETE trigger on PostgreSQL."""
    article = make_article(title="Kept", tags=["Zed"], sections=[("Gone soon", "Body text.")])
    assert "Gone soon" in page(client, article.get_absolute_url())
    assert "Zed" in page(client, "/tags/")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own transaction
        cursor.execute("TRUNCATE articles_section, articles_taggedarticle CASCADE")
    assert "Gone soon" not in page(client, article.get_absolute_url())
    assert "Zed" not in page(client, "/tags/")
    assert client.get("/api/tags").json() == []
    assert counts_shown() == counts_from_scratch() == {}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_publishing_keeps_counts_exact(make_article):
    names = ["Alpha", "Beta", "Gamma"]
    articles = [make_article(tags=names[: 1 + n % 3]) for n in range(20)]
    barrier = threading.Barrier(20)
    errors = []

    def flip(article, n):
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                status = Article.Status.DRAFT if n % 2 else Article.Status.PUBLISHED
                Article.objects.filter(pk=article.pk).update(status=status)
                if n % 3 == 0:
                    article.tags.add("Delta")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=flip, args=(a, n)) for n, a in enumerate(articles)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    stored = dict(TopicCount.objects.filter(articles__gt=0).values_list("tag_id", "articles"))
    assert stored == counts_from_scratch() == counts_shown()


@pytest.mark.django_db(transaction=True)
def test_migrating_installs_the_triggers_again(client, make_article):
    article = make_article(title="Before migrate")
    call_command("migrate", "articles", "0008", verbosity=0, stdout=io.StringIO())
    call_command("migrate", verbosity=0, stdout=io.StringIO())
    page(client, "/")
    Article.objects.filter(pk=article.pk).update(title="After migrate")
    assert "After migrate" in page(client, "/")


def test_an_image_edit_moves_the_content_version(make_image):
    # Pages show an image's alt text, caption and crop: a raw update moves the version
    # as any edit does, with no Python code to remember.
    image = make_image(size=(600, 400))
    for column, value in [("alt_text", "A new description"), ("focal_x", 0.9)]:
        before = cache.current_version()[0]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE articles_image SET {column} = %s WHERE id = %s", [value, image.pk]
            )
        assert cache.current_version()[0] != before, column
