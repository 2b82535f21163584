"""Bylines and author pages: people named on articles, in order, each with a page and
feeds; profiles edited in the admin by their owner or an Editor."""

import json
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.urls import reverse

from articles import bylines
from articles.models import Article, Byline, Person
from devtools.html_forms import form_fields
from tests.helpers import change_url, form_data, unchanged_state

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PEOPLE = reverse("admin:articles_person_changelist")


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def make_person(db):
    def make(name, slug=None, **fields):
        return Person.objects.create(name=name, slug=slug or bylines.unique_slug(name), **fields)

    return make


@pytest.fixture
def amy(make_person, author):
    return make_person("Amy Wong", "amy-wong", bio="Covers the courts.", user=author)


@pytest.fixture
def oscar(make_person):
    return make_person("Oscar Lee", "oscar-lee", bio="Data desk.")


def profile_form(response):
    return form_fields(response.content.decode(), "form#person_form")


def signed(article, *people):
    bylines.set_bylines(article, people)
    return article


def author_url(person, page=None):
    url = reverse("articles:author", args=[person.slug])
    return f"{url}?page={page}" if page else url


# What readers see.


def test_article_page_names_its_people_in_order_with_links(client, make_article, amy, oscar):
    article = signed(make_article(), oscar, amy)
    page = soup(client.get(article.get_absolute_url()))
    byline = page.select_one(".article__meta .byline")
    assert byline.get_text(" ", strip=True) == "By Oscar Lee , Amy Wong"
    links = [(a.get_text(), a["href"]) for a in byline.select("a")]
    assert links == [("Oscar Lee", "/authors/oscar-lee/"), ("Amy Wong", "/authors/amy-wong/")]
    assert "amy" not in byline.get_text()  # the login is never shown


def test_an_article_naming_no_one_is_signed_by_the_site(client, make_article, author):
    article = make_article(author=author)  # an owner, but no byline
    byline = soup(client.get(article.get_absolute_url())).select_one(".article__meta .byline")
    assert byline.get_text(strip=True) == "By HKAI"
    assert byline.select("a") == []
    data = json.loads(soup(client.get(article.get_absolute_url())).select_one("script").string)
    assert data["author"] == {"@type": "Organization", "name": "HKAI"}


def test_cards_link_to_the_author_pages(client, make_article, amy):
    signed(make_article(title="Court ruling"), amy)
    make_article(title="Unsigned")
    cards = soup(client.get("/")).select(".card")
    bylines_shown = {c.select_one(".card__title").get_text(): c.select(".byline a") for c in cards}
    assert [a["href"] for a in bylines_shown["Court ruling"]] == ["/authors/amy-wong/"]
    assert bylines_shown["Unsigned"] == []


def test_json_ld_names_the_people_with_their_pages(client, make_article, amy, oscar):
    article = signed(make_article(), amy, oscar)
    script = soup(client.get(article.get_absolute_url())).select_one(
        'script[type="application/ld+json"]'
    )
    assert json.loads(script.string)["author"] == [
        {"@type": "Person", "name": "Amy Wong", "url": "http://testserver/authors/amy-wong/"},
        {"@type": "Person", "name": "Oscar Lee", "url": "http://testserver/authors/oscar-lee/"},
    ]


def test_author_page_shows_name_bio_and_only_published_articles(client, make_article, amy):
    signed(make_article(title="Live one"), amy)
    signed(make_article(title="Secret draft", status=Article.Status.DRAFT), amy)
    make_article(title="Someone else's")
    response = client.get(author_url(amy))
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("h1").get_text() == "Amy Wong"
    assert "Covers the courts." in page.select_one(".page__bio").get_text()
    titles = [t.get_text() for t in page.select(".card__title")]
    assert titles == ["Live one"]
    assert "1 article" in page.select_one(".page__intro").get_text()
    feeds = [link["href"] for link in page.select('link[rel="alternate"]')]
    assert {"/authors/amy-wong/feed/", "/authors/amy-wong/feed/atom/"} <= set(feeds)


def test_author_page_is_paginated_like_the_topic_pages(client, make_article, amy):
    for n in range(12):
        signed(make_article(title=f"Story {n}"), amy)
    first = soup(client.get(author_url(amy))).select(".card")
    second = soup(client.get(author_url(amy, 2))).select(".card")
    assert (len(first), len(second)) == (10, 2)
    for bad in ["3", "0", "abc", "99999999999999999999"]:
        assert client.get(author_url(amy, bad)).status_code == 404, bad


def test_unknown_author_or_one_with_only_drafts_is_404(client, make_article, amy, oscar):
    signed(make_article(status=Article.Status.DRAFT, title="Embargoed"), oscar)
    for path in [
        "/authors/nobody/",
        "/authors/nobody/feed/",
        "/authors/nobody/feed/atom/",
        "/authors/" + "x" * 201 + "/",
        author_url(oscar),
        reverse("articles:author_feed", args=[oscar.slug]),
        reverse("articles:author_atom_feed", args=[oscar.slug]),
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"Embargoed" not in response.content


def test_author_feeds_list_their_articles(client, make_article, amy, oscar):
    signed(make_article(title="Hers"), amy)
    signed(make_article(title="Both"), oscar, amy)
    signed(make_article(title="His"), oscar)
    rss = ET.fromstring(client.get(reverse("articles:author_feed", args=[amy.slug])).content)
    assert sorted(item.findtext("title") for item in rss.iter("item")) == ["Both", "Hers"]
    assert {item.findtext("{http://purl.org/dc/elements/1.1/}creator") for item in rss.iter("item")}
    atom = ET.fromstring(client.get(reverse("articles:author_atom_feed", args=[amy.slug])).content)
    ns = "{http://www.w3.org/2005/Atom}"
    entries = {
        e.findtext(f"{ns}title"): e.findtext(f"{ns}author/{ns}name")
        for e in atom.iter(f"{ns}entry")
    }
    assert entries == {"Hers": "Amy Wong", "Both": "Oscar Lee, Amy Wong"}


def test_a_control_character_in_a_name_never_breaks_a_feed(client, make_article, amy):
    # An Author edits their own name: a vertical tab pasted into it (or sent in a
    # forged form) is a character XML 1.0 cannot hold, even escaped.
    Person.objects.filter(pk=amy.pk).update(name="Amy\x0bWong\x01")
    signed(make_article(title="Hers", tags=["courts"]), amy)
    rss_creator = "{http://purl.org/dc/elements/1.1/}creator"
    for name in ["feed", "atom_feed"]:
        response = client.get(reverse(f"articles:{name}"))
        assert response.status_code == 200, name
        assert b"AmyWong" in response.content
    for name in ["author_feed", "author_atom_feed"]:
        response = client.get(reverse(f"articles:{name}", args=[amy.slug]))
        assert response.status_code == 200, name
        assert b"HKAI: AmyWong" in response.content
    tag_feed = ET.fromstring(client.get(reverse("articles:tag_feed", args=["courts"])).content)
    assert [item.findtext(rss_creator) for item in tag_feed.iter("item")] == ["AmyWong"]


def test_author_pages_are_in_the_sitemap(client, make_article, amy, oscar):
    signed(make_article(), amy)
    signed(make_article(status=Article.Status.DRAFT), oscar)
    urls = [
        u.findtext(f"{SITEMAP}loc")
        for u in ET.fromstring(client.get("/sitemap-authors.xml").content)
    ]
    assert urls == [
        f"http://testserver{prefix}/authors/amy-wong/" for prefix in ("", "/zh-hant", "/zh-hans")
    ]  # in each interface, with its alternates (tests/test_addresses.py)


def test_author_page_query_count_is_flat(
    client, make_article, amy, oscar, django_assert_num_queries
):
    for _ in range(3):
        signed(make_article(tags=["Finance"]), amy)
    # The content state (page cache), the person, the count of their published
    # articles, the page of articles, one prefetch of tags, one of bylines with people.
    with django_assert_num_queries(6):
        assert client.get(author_url(amy)).status_code == 200
    for n in range(30):
        signed(make_article(tags=[f"T{n}", f"U{n}"]), amy, oscar)
    with django_assert_num_queries(6):
        assert client.get(author_url(amy)).status_code == 200
    # Then from the page cache, every page of it: no query but the state's.
    with django_assert_num_queries(unchanged_state()):
        assert client.get(author_url(amy)).status_code == 200
    client.get(author_url(amy, 2))
    with django_assert_num_queries(unchanged_state()):
        assert client.get(author_url(amy, 2)).status_code == 200


def test_a_renamed_author_or_changed_byline_is_fresh_at_once(client, make_article, amy, oscar):
    article = signed(make_article(), amy)
    pages = [author_url(amy), article.get_absolute_url(), "/", reverse("articles:feed")]
    for url in pages:
        assert "Amy Wong" in client.get(url).content.decode(), url  # now cached
    # Outside the ORM's save (no signal): the database's triggers move the version.
    Person.objects.filter(pk=amy.pk).update(name="Amy Wong-Chan", bio="Now the editor.")
    for url in pages:
        assert "Amy Wong-Chan" in client.get(url).content.decode(), url
    assert "Now the editor." in client.get(author_url(amy)).content.decode()
    Byline.objects.filter(article=article).update(person=oscar)
    assert "Oscar Lee" in client.get(article.get_absolute_url()).content.decode()
    assert client.get(author_url(amy)).status_code == 404  # no published article now


def test_the_api_gives_the_authors_names_and_slugs(client, make_article, amy, oscar):
    article = signed(make_article(), amy, oscar)
    body = client.get(reverse("api:article", args=[article.slug])).json()
    assert body["byline"] == "Amy Wong, Oscar Lee"
    assert body["authors"] == [
        {"name": "Amy Wong", "slug": "amy-wong", "url": "http://testserver/authors/amy-wong/"},
        {"name": "Oscar Lee", "slug": "oscar-lee", "url": "http://testserver/authors/oscar-lee/"},
    ]
    listed = client.get(reverse("api:articles")).json()["items"][0]
    assert [a["slug"] for a in listed["authors"]] == ["amy-wong", "oscar-lee"]


def test_markdown_names_the_authors(client, make_article, amy):
    article = signed(make_article(), amy)
    text = client.get(reverse("articles:markdown", args=[article.slug])).content.decode()
    assert "- By: Amy Wong" in text


# Editing bylines and profiles in the admin.


def test_editor_sets_the_bylines_in_order(editor, client_for, make_article, amy, oscar):
    article = make_article(status=Article.Status.DRAFT)
    client = client_for(editor)
    data = form_data(client.get(change_url(article)))
    data["bylines"] = "oscar-lee, Amy Wong"  # a slug, or a name
    assert client.post(change_url(article), data).status_code == 302
    assert [p.slug for p in Article.objects.get(pk=article.pk).people] == ["oscar-lee", "amy-wong"]
    history = LogEntry.objects.filter(object_id=str(article.pk)).first().get_change_message()
    assert history.endswith("Bylines: Oscar Lee, Amy Wong")
    data = form_data(client.get(change_url(article)))
    assert data["bylines"] == "oscar-lee, amy-wong"
    data["bylines"] = ""
    assert client.post(change_url(article), data).status_code == 302
    assert Article.objects.get(pk=article.pk).people == []


def test_an_unknown_byline_is_a_form_error_and_nothing_changes(
    editor, client_for, make_article, amy
):
    article = signed(make_article(status=Article.Status.DRAFT, title="Kept"), amy)
    client = client_for(editor)
    for bad in ["amy-wong, nobody", "x" * 5000, ",".join(f"p{n}" for n in range(50))]:
        data = form_data(client.get(change_url(article)))
        data.update(bylines=bad, title="Changed")
        response = client.post(change_url(article), data)
        assert response.status_code == 200, bad[:20]
        assert soup(response).select(".errorlist"), bad[:20]
    article.refresh_from_db()
    assert article.title == "Kept" and [p.slug for p in article.people] == ["amy-wong"]


def test_bylines_of_a_live_article_wait_with_its_draft_changes(
    editor, client_for, make_article, amy, oscar
):
    article = signed(make_article(), amy)
    client = client_for(editor)
    data = form_data(client.get(change_url(article)))
    data["bylines"] = "oscar-lee"
    client.post(change_url(article), data)  # "Save" on a live article: draft changes
    assert "Amy Wong" in client.get(article.get_absolute_url()).content.decode()
    data = form_data(client.get(change_url(article)), publish=True)
    assert data["bylines"] == "oscar-lee"
    client.post(change_url(article), data)
    assert [p.slug for p in Article.objects.get(pk=article.pk).people] == ["oscar-lee"]


def test_authors_new_article_is_signed_with_their_profile(author, client_for):
    client = client_for(author)
    add = reverse("admin:articles_article_add")
    data = form_data(client.get(add))
    assert "bylines" not in data  # only an Editor chooses the byline
    data.update(title="Fresh", slug="fresh", status="draft", bylines="someone-else")
    data.update({"sections-TOTAL_FORMS": "1", "sections-0-body": "Text."})
    assert client.post(add, data).status_code == 302
    article = Article.objects.get(slug="fresh")
    person = Person.objects.get(user=author)
    assert person.name == "Amy" and article.people == [person]  # the forged value: ignored


def test_forged_bylines_from_an_author_change_nothing(author, client_for, make_article, amy):
    oscar = Person.objects.create(name="Oscar Lee", slug="oscar-lee")
    article = signed(make_article(status=Article.Status.DRAFT, author=author), amy)
    client = client_for(author)
    data = form_data(client.get(change_url(article)))
    data["bylines"] = "oscar-lee"
    assert client.post(change_url(article), data).status_code == 302
    assert Article.objects.get(pk=article.pk).people == [amy]
    assert oscar.bylines.count() == 0


def test_author_edits_their_own_profile_only(author, client_for, amy, oscar):
    client = client_for(author)
    assert [a.get_text() for a in soup(client.get(PEOPLE)).select("#result_list tbody th a")] == [
        "Amy Wong"
    ]
    mine = client.get(reverse("admin:articles_person_mine"))
    own = reverse("admin:articles_person_change", args=[amy.pk])
    assert mine.status_code == 302 and mine["Location"] == own
    data = profile_form(client.get(own))
    assert "slug" not in data and "user" not in data
    data.update(name="Amy W. Wong", bio="Courts and the law.", slug="hijacked", user="")
    assert client.post(own, data).status_code == 302
    amy.refresh_from_db()
    assert (amy.name, amy.bio, amy.slug, amy.user_id) == (
        "Amy W. Wong",
        "Courts and the law.",
        "amy-wong",
        author.pk,
    )
    theirs = reverse("admin:articles_person_change", args=[oscar.pk])
    forged = {"name": "Hacked", "bio": "x"}
    assert client.post(theirs, forged).status_code in (302, 403, 404)
    oscar.refresh_from_db()
    assert oscar.name == "Oscar Lee"
    delete = reverse("admin:articles_person_delete", args=[amy.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Person.objects.filter(pk=amy.pk).exists()


def test_author_without_a_profile_makes_one_for_themselves(other_author, client_for, amy):
    client = client_for(other_author)
    add = reverse("admin:articles_person_add")
    assert client.get(reverse("admin:articles_person_mine"))["Location"] == add
    data = {"name": "Oscar Lee", "bio": "Data desk.", "user": str(amy.user_id), "slug": "amy-wong"}
    assert client.post(add, data).status_code == 302
    person = Person.objects.get(user=other_author)
    assert (person.name, person.slug) == ("Oscar Lee", "oscar-lee")
    assert client.get(add).status_code == 403  # one profile each


def test_editor_edits_any_profile(editor, client_for, amy):
    client = client_for(editor)
    url = reverse("admin:articles_person_change", args=[amy.pk])
    data = profile_form(client.get(url))
    data.update(name="Amy Wong", slug="amy", bio="Editor's note.")
    assert client.post(url, data).status_code == 302
    amy.refresh_from_db()
    assert (amy.slug, amy.bio) == ("amy", "Editor's note.")


def test_a_megabyte_bio_or_a_blank_name_is_a_form_error(author, client_for, amy):
    client = client_for(author)
    url = reverse("admin:articles_person_change", args=[amy.pk])
    for name, bio in [("Amy", "x" * 1_000_000), ("   ", "Short."), ("A" * 201, "")]:
        data = {**profile_form(client.get(url)), "name": name, "bio": bio}
        response = client.post(url, data)
        assert response.status_code == 200, (name[:5], len(bio))
        assert soup(response).select(".errorlist")
    amy.refresh_from_db()
    assert (amy.name, amy.bio) == ("Amy Wong", "Covers the courts.")


def test_a_person_named_on_articles_is_not_deleted_with_them(editor, client_for, make_article, amy):
    signed(make_article(), amy)
    client = client_for(editor)
    response = client.post(reverse("admin:articles_person_delete", args=[amy.pk]), {"post": "yes"})
    assert response.status_code == 200  # the admin lists what protects it
    assert Person.objects.filter(pk=amy.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_existing_articles_get_their_owners_byline_when_migrating(django_user_model):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    call_command("migrate", "articles", "0019", verbosity=0)
    # The models as they were then: the live ones would index into tables not made yet.
    old = MigrationExecutor(connection).loader.project_state(("articles", "0019_translations"))
    OldArticle = old.apps.get_model("articles", "Article")
    owner = django_user_model.objects.create_user("wendy", first_name="Wendy", last_name="Ho")
    login_only = django_user_model.objects.create_user("kit")
    ids = []
    for n, user in enumerate([owner, owner, login_only, None]):
        author = None if user is None else user.pk
        ids.append(OldArticle.objects.create(title=f"A{n}", slug=f"a{n}", author_id=author).pk)
    call_command("migrate", verbosity=0)
    shown = {a.slug: a.byline for a in Article.objects.filter(pk__in=ids)}
    assert shown == {"a0": "Wendy Ho", "a1": "Wendy Ho", "a2": "kit", "a3": "HKAI"}
    assert Person.objects.get(user=owner).slug == "wendy-ho"
    assert Person.objects.filter(user=login_only).get().name == "kit"


def test_every_admin_page_links_to_ones_own_profile(author, client_for, amy):
    page = soup(client_for(author).get(reverse("admin:index")))
    link = page.find("a", string="My author profile")
    assert link["href"] == reverse("admin:articles_person_mine")


def test_the_editors_form_tells_the_owner_from_the_bylines(editor, client_for, make_article):
    page = soup(client_for(editor).get(change_url(make_article())))
    assert page.select_one('label[for="id_author"]').get_text() == "Owner:"
    assert page.select_one('label[for="id_bylines"]').get_text() == "Bylines:"
