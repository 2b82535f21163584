"""History you can trust: restoring and recovering are edits judged like the form,
one revision holds one article, restores meet the conflict check, every earlier
version opens, and History says what happened (issue 12, observations 1-6)."""

import datetime
import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone
from reversion import create_revision, set_comment
from reversion.models import Revision, Version

from articles.models import Article, Section
from tests.helpers import change_url, form_data, form_fields

CHANGELIST = reverse("admin:articles_article_changelist")
RECOVER_LIST = reverse("admin:articles_article_recoverlist")


def history_url(article):
    return reverse("admin:articles_article_history", args=[article.pk])


def revision_url(article, version):
    return reverse("admin:articles_article_revision", args=[article.pk, version.pk])


def compare_url(article, old, new):
    url = reverse("admin:articles_article_compare", args=[article.pk])
    return f"{url}?from={old.pk}&to={new.pk}"


def save(client, article, **changes):
    data = form_data(client.get(change_url(article)), publish=True)
    data.update(changes)
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def history_rows(client, article):
    """(link, time, user, action) of each History row, newest first."""
    response = client.get(history_url(article))
    assert response.status_code == 200
    page = BeautifulSoup(response.content.decode(), "html.parser")
    rows = []
    for tr in page.select("#change-history tbody tr"):
        cells = [" ".join(td.get_text(" ", strip=True).split()) for td in tr.select("th, td")]
        rows.append((tr.select_one("th a")["href"], cells[2], cells[3], cells[4]))
    return rows


def version_with(article, action):
    """The article's newest version whose History entry reads `action`."""
    for version in Version.objects.get_for_object(article).select_related("revision"):
        if version.revision.get_comment() == action:
            return version
    raise AssertionError(f"no version {action!r} of {article}")


def restore(client, article, version):
    """Open a version from History and press Save, as a browser would."""
    page = client.get(revision_url(article, version))
    assert page.status_code != 302, "the version did not open"
    if page.status_code != 200:
        return page
    return client.post(revision_url(article, version), form_data(page))


def bulk(client, action, *articles):
    response = client.post(
        CHANGELIST, {"action": action, "_selected_action": [a.pk for a in articles]}
    )
    assert response.status_code == 302


def sections_of(article):
    return list(Section.objects.filter(article=article).values_list("position", "heading", "body"))


def snapshot(article):
    article = Article.objects.get(pk=article.pk)
    return (
        article.title,
        article.slug,
        article.status,
        article.published_at,
        article.edit_token,
        sections_of(article),
        sorted(article.tags.names()),
        Revision.objects.count(),
    )


# 1. An Author changed an Editor's published article through a shared revision.


def test_bulk_actions_record_one_revision_per_article(editor, client_for, make_article):
    first, second = make_article(), make_article()
    client = client_for(editor)
    bulk(client, "unpublish", first, second)
    bulk(client, "publish", first, second)
    for article in (first, second):
        for version in Version.objects.get_for_object(article):
            others = version.revision.version_set.filter(content_type=version.content_type)
            assert list(others.values_list("object_id", flat=True)) == [str(article.pk)]
    assert history_rows(client, first)[0][3] == "Published"
    assert history_rows(client, first)[1][3] == "Unpublished"


def test_an_authors_restore_leaves_other_articles_alone(author, editor, client_for, make_article):
    mine = make_article(author=author, title="Amy's")
    theirs = make_article(author=editor, title="Eddie's", sections=[("Intro", "Text.")])
    eddie, amy = client_for(editor), client_for(author)
    bulk(eddie, "unpublish", mine, theirs)
    bulk(eddie, "publish", theirs)
    save(
        eddie,
        theirs,
        title="Eddie's, updated",
        **{"sections-TOTAL_FORMS": "2", "sections-1-heading": "Later", "sections-1-body": "x"},
    )
    # Amy's article is her draft again: she may restore its "Unpublished" version.
    response = restore(amy, mine, version_with(mine, "Unpublished"))
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.is_published and theirs.title == "Eddie's, updated"
    assert [h for _, h, _ in sections_of(theirs)] == ["Intro", "Later"]
    assert history_rows(eddie, theirs)[0][2].endswith("(eddie)")
    assert history_rows(amy, mine)[0][2].endswith("(amy)")


def test_a_revision_holding_two_articles_restores_only_the_one_opened(
    editor, client_for, make_article
):
    one, two = make_article(title="One"), make_article(title="Two")
    with create_revision():  # as bulk actions recorded them before
        set_comment("Published.")
        one.save()
        two.save()
    client = client_for(editor)
    save(client, one, title="One, edited")
    save(client, two, title="Two, edited")
    assert restore(client, one, version_with(one, "Published.")).status_code == 302
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.title, two.title) == ("One", "Two, edited")


# 2. Authors can unpublish through History and recover deleted articles.


def test_an_author_cannot_restore_over_a_published_article(
    author, editor, client_for, make_article
):
    article = make_article(author=author, status=Article.Status.DRAFT, title="Draft title")
    amy, eddie = client_for(author), client_for(editor)
    save(amy, article, title="Amy's second draft")
    save(eddie, article, status="published")
    before = snapshot(article)
    draft = version_with(article, "Edited: title")
    page = amy.get(revision_url(article, draft))
    assert page.status_code == 403
    assert "only an editor may change it" in page.content.decode()
    forged = form_data(amy.get(change_url(article)))
    forged.update({"title": "Draft title", "status": "draft"})
    response = amy.post(revision_url(article, draft), forged)
    assert response.status_code == 403
    assert "Nothing was changed." in response.content.decode()
    assert snapshot(article) == before


def test_an_author_cannot_restore_a_published_version(author, editor, client_for, make_article):
    article = make_article(author=author, status=Article.Status.DRAFT)
    amy, eddie = client_for(author), client_for(editor)
    save(eddie, article, status="published")
    bulk(eddie, "unpublish", article)
    save(amy, article, title="Back with Amy")
    before = snapshot(article)
    response = restore(amy, article, version_with(article, "Published"))
    assert response.status_code == 403
    assert "only an editor may do" in response.content.decode()
    assert snapshot(article) == before
    # The editor may.
    assert restore(eddie, article, version_with(article, "Published")).status_code == 302
    article.refresh_from_db()
    assert article.is_published


def test_an_author_restores_their_own_draft_but_keeps_its_publication_time(
    author, editor, client_for, make_article
):
    article = make_article(author=author, status=Article.Status.DRAFT, title="First")
    amy, eddie = client_for(author), client_for(editor)
    save(amy, article, title="Second")
    save(eddie, article, status="published")
    bulk(eddie, "unpublish", article)
    published_at = Article.objects.get(pk=article.pk).published_at
    assert published_at is not None
    response = restore(amy, article, version_with(article, "Edited: title"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.status) == ("Second", Article.Status.DRAFT)
    assert article.published_at == published_at
    assert article.last_edited_by == author


def test_only_editors_recover_deleted_articles(author, editor, client_for, make_article):
    article = make_article(author=author, status=Article.Status.DRAFT, tags=["Finance"])
    amy, eddie = client_for(author), client_for(editor)
    save(amy, article, title="Worth keeping")
    pk = article.pk
    delete = reverse("admin:articles_article_delete", args=[pk])
    assert eddie.post(delete, {"post": "yes"}).status_code == 302
    version = Version.objects.get_deleted(Article).get(object_id=str(pk))
    recover = reverse("admin:articles_article_recover", args=[version.pk])

    assert "Recover deleted articles" not in amy.get(CHANGELIST).content.decode()
    listing = amy.get(RECOVER_LIST)
    assert listing.status_code == 403
    assert "Only editors may recover deleted articles." in listing.content.decode()
    assert amy.get(recover).status_code == 403
    assert amy.post(recover, {"title": "Worth keeping", "slug": article.slug}).status_code == 403
    assert not Article.objects.filter(pk=pk).exists()

    assert "Recover deleted articles" in eddie.get(CHANGELIST).content.decode()
    page = eddie.get(recover)
    assert page.status_code == 200
    assert not Article.objects.filter(pk=pk).exists()  # looking writes nothing
    assert eddie.post(recover, form_data(page)).status_code == 302
    recovered = Article.objects.get(pk=pk)
    assert recovered.title == "Worth keeping" and recovered.slug == article.slug
    assert [heading for _, heading, _ in sections_of(recovered)] == ["", "Details"]
    assert recovered.tags.names()[0] == "Finance"
    assert eddie.get(recover).status_code == 404  # it is no longer deleted


def test_recovering_into_a_slug_taken_meanwhile_asks_for_another(editor, client_for, make_article):
    article = make_article(slug="taken-later")
    eddie = client_for(editor)
    save(eddie, article, title="Kept")
    eddie.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    make_article(slug="taken-later", title="Newcomer")
    version = Version.objects.get_deleted(Article).get(object_id=str(article.pk))
    recover = reverse("admin:articles_article_recover", args=[version.pk])
    page = eddie.get(recover)
    response = eddie.post(recover, form_data(page))
    assert response.status_code == 200
    assert "Article with this Slug already exists." in response.content.decode()
    assert not Article.objects.filter(pk=article.pk).exists()
    data = form_data(page)
    data["slug"] = "taken-earlier"
    assert eddie.post(recover, data).status_code == 302
    assert Article.objects.get(pk=article.pk).slug == "taken-earlier"


# 3. A restore skipped the lost-update guard.


@pytest.mark.parametrize("role", ["author", "editor"])
def test_a_stale_restore_is_refused_with_the_conflict_message(
    role, author, editor, admin_user, client_for, make_article
):
    restorer = {"author": author, "editor": editor}[role]
    article = make_article(author=author, status=Article.Status.DRAFT, title="One")
    mine = client_for(restorer)
    save(mine, article, title="Two")
    version = Version.objects.get_for_object(article).first()
    save(mine, article, title="Three")
    opened = mine.get(revision_url(article, version))
    assert opened.status_code == 200
    save(client_for(admin_user), article, **{"sections-0-body": "Root's newer text."})
    response = mine.post(revision_url(article, version), form_data(opened))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Admin changed this article at" in page or "admin changed this article at" in page
    assert "your changes were not saved" in page
    article.refresh_from_db()
    assert article.title == "Three"
    assert article.sections.first().body == "Root's newer text."


# 4. After reordering sections no earlier version could be opened.


@pytest.mark.parametrize("role", ["author", "editor"])
def test_every_version_opens_and_restores_after_sections_swap(
    role, author, editor, client_for, make_article
):
    user = {"author": author, "editor": editor}[role]
    article = make_article(
        author=author,
        status=Article.Status.DRAFT,
        sections=[("First", "one"), ("Second", "two"), ("Third", "three")],
    )
    client = client_for(user)
    save(client, article, title="Saved once")
    save(client, article, **{"sections-0-position": "2", "sections-2-position": "0"})
    assert [h for _, h, _ in sections_of(article)] == ["Third", "Second", "First"]
    older = version_with(article, "Edited: title")
    page = client.get(revision_url(article, older))
    assert page.status_code == 200
    assert "missing dependency" not in page.content.decode()
    data = form_data(page)
    headings = [data[f"sections-{n}-heading"] for n in range(3)]
    assert headings == ["First", "Second", "Third"]
    assert client.post(revision_url(article, older), data).status_code == 302
    assert [h for _, h, _ in sections_of(article)] == ["First", "Second", "Third"]
    newer = version_with(article, "Edited: sections 1 and 3")
    assert restore(client, article, newer).status_code == 302
    assert [h for _, h, _ in sections_of(article)] == ["Third", "Second", "First"]


def test_restoring_brings_back_a_deleted_section_and_drops_an_added_one(
    editor, client_for, make_article
):
    article = make_article(sections=[("Alpha", "a"), ("Beta", "b")])
    client = client_for(editor)
    save(client, article, title="Start")
    save(
        client,
        article,
        **{
            "sections-0-DELETE": "on",
            "sections-TOTAL_FORMS": "3",
            "sections-2-heading": "Gamma",
            "sections-2-body": "c",
            "sections-2-position": "0",
        },
    )
    assert [h for _, h, _ in sections_of(article)] == ["Gamma", "Beta"]
    assert restore(client, article, version_with(article, "Edited: title")).status_code == 302
    assert sections_of(article) == [(0, "Alpha", "a"), (1, "Beta", "b")]


# 5. Addresses survive restores (the redirects move into the database).


def test_restoring_an_older_slug_keeps_the_newer_address(editor, client, client_for, make_article):
    article = make_article(slug="slug-one")
    eddie = client_for(editor)
    save(eddie, article, title="Named once")
    save(eddie, article, slug="slug-two")
    assert restore(eddie, article, version_with(article, "Edited: title")).status_code == 302
    response = client.get("/articles/slug-two/")
    assert (response.status_code, response["Location"]) == (301, "/articles/slug-one/")
    assert client.get("/articles/slug-one/").status_code == 200


def test_a_draft_taking_a_redirected_slug_removes_no_redirect(
    author, editor, client, client_for, make_article
):
    live = make_article(slug="old-address")
    save(client_for(editor), live, slug="new-address")
    draft = make_article(author=author, status=Article.Status.DRAFT, slug="draft-address")
    save(client_for(author), draft, slug="old-address")
    response = client.get("/articles/old-address/")
    assert (response.status_code, response["Location"]) == (301, "/articles/new-address/")


# 6. History says what happened, to the second, and compares any two versions.


def test_history_reads_as_actions_with_times_to_the_second(
    author, editor, client_for, make_article
):
    article = make_article(
        author=author,
        status=Article.Status.DRAFT,
        sections=[("One", "a"), ("Two", "b"), ("Three", "c")],
    )
    amy, eddie = client_for(author), client_for(editor)
    save(amy, article, title="Retitled", **{"sections-1-body": "B", "sections-2-body": "C"})
    save(eddie, article, status="published")
    bulk(eddie, "unpublish", article)
    later = timezone.localtime() + datetime.timedelta(days=30)
    save(
        eddie,
        article,
        status="published",
        published_at_0=later.strftime("%Y-%m-%d"),
        published_at_1="09:00:00",
    )
    edited = version_with(article, "Edited: title, sections 2 and 3")
    assert restore(eddie, article, edited).status_code == 302

    rows = history_rows(eddie, article)
    when = timezone.localtime(edited.revision.date_created).strftime("%-d %b %Y %H:%M:%S")
    assert [action for *_, action in rows] == [
        f"Restored the version of {when} by amy. Unpublished",
        f"Scheduled for {later.strftime('%-d %b %Y')} 09:00",
        "Unpublished",
        "Published",
        "Edited: title, sections 2 and 3",
    ]
    assert [user for _, _, user, _ in rows][:2] == ["Eddie (eddie)", "Eddie (eddie)"]
    assert rows[-1][2] == "Amy (amy)"
    for _, time, _, _ in rows:
        assert re.fullmatch(r"\d{1,2} \w{3} \d{4} \d{2}:\d{2}:\d{2}", time)
    versions = Version.objects.get_for_object(article).select_related("revision")
    expected = [
        timezone.localtime(v.revision.date_created).strftime("%-d %b %Y %H:%M:%S") for v in versions
    ]
    assert [time for _, time, _, _ in rows] == expected


@pytest.mark.parametrize("role", ["author", "editor"])
def test_two_versions_compare_side_by_side_with_changed_words_marked(
    role, author, editor, client_for, make_article
):
    article = make_article(
        author=author,
        status=Article.Status.DRAFT,
        title="Banks adopt models",
        sections=[("Intro", "Banks in Hong Kong adopt models."), ("More", "Unchanged.")],
    )
    amy = client_for(author)
    save(amy, article, tags="Finance")
    first = version_with(article, "Edited: tags")
    save(
        amy,
        article,
        title="Banks adopt large models",
        tags="Finance, Banking",
        status="review",
        **{"sections-0-body": "Banks in Hong Kong quickly adopt models."},
    )
    second = Version.objects.get_for_object(article).first()
    client = client_for({"author": author, "editor": editor}[role])
    history = client.get(history_url(article)).content.decode()
    form = form_fields(history, "#content-main form")
    assert (form["from"], form["to"]) == (str(first.pk), str(second.pk))
    response = client.get(compare_url(article, first, second))
    assert response.status_code == 200
    page = BeautifulSoup(response.content.decode(), "html.parser")
    rows = {
        tr.th.get_text(" ", strip=True).replace(" (changed)", ""): tr
        for tr in page.select(".version-compare tbody tr")
    }
    assert [i.get_text().strip() for i in rows["Title"].select("ins")] == ["large"]
    assert [i.get_text().strip() for i in rows["Section 1"].select("ins")] == ["quickly"]
    assert rows["Section 2"].select("ins, del") == []
    assert "Banking" in rows["Tags"].select_one("ins").get_text()
    assert rows["Status and time"].select_one("del").get_text() == "Draft"
    assert rows["Status and time"].select_one("ins").get_text() == "In review"
    inline = [s for s in page.select("script") if not s.get("src")]
    assert all(s.get("type") == "application/json" for s in inline)  # the strict CSP holds
    # Either order gives the same comparison.
    swapped = BeautifulSoup(
        client.get(compare_url(article, second, first)).content.decode(), "html.parser"
    )
    assert str(swapped.select_one(".version-compare")) == str(page.select_one(".version-compare"))


# Bad input: 404 for ids that are not this article's, 403 with a reason, never a 500.


def test_unknown_and_foreign_version_ids_are_404(editor, client_for, make_article):
    article, other = make_article(), make_article()
    client = client_for(editor)
    save(client, article, title="A1")
    save(client, other, title="B1")
    mine = Version.objects.get_for_object(article).first()
    foreign = Version.objects.get_for_object(other).first()
    revision = reverse("admin:articles_article_revision", args=[article.pk, 999999])
    compare = reverse("admin:articles_article_compare", args=[article.pk])
    for url in [
        revision,
        revision_url(article, foreign),
        compare_url(article, mine, foreign),
        f"{compare}?from={mine.pk}&to=999999",
        f"{compare}?from=abc&to={mine.pk}",
        compare,
        reverse("admin:articles_article_compare", args=["abc"]),
        reverse("admin:articles_article_compare", args=[999999]) + f"?from={mine.pk}&to={mine.pk}",
        reverse("admin:articles_article_revision", args=[999999, mine.pk]),
        reverse("admin:articles_article_recover", args=[999999]),
        reverse("admin:articles_article_recover", args=[mine.pk]),  # not deleted
    ]:
        assert client.get(url).status_code == 404, url
    before = snapshot(other)
    assert client.post(revision_url(article, foreign), {"title": "x"}).status_code == 404
    assert snapshot(other) == before


def test_a_forged_restore_of_someone_elses_article_is_refused(
    author, other_author, client_for, make_article
):
    theirs = make_article(author=other_author, status=Article.Status.DRAFT, title="Oscar's")
    oscar, amy = client_for(other_author), client_for(author)
    save(oscar, theirs, title="Oscar's second")
    version = Version.objects.get_for_object(theirs).first()
    save(oscar, theirs, title="Oscar's third")
    before = snapshot(theirs)
    data = form_data(oscar.get(revision_url(theirs, version)))
    response = amy.post(revision_url(theirs, version), data)
    assert response.status_code == 403
    assert "someone else" in response.content.decode()
    assert amy.get(revision_url(theirs, version)).status_code == 403
    assert snapshot(theirs) == before


def test_a_version_that_no_longer_loads_is_a_clear_page(editor, client_for, make_article):
    article = make_article()
    client = client_for(editor)
    save(client, article, title="Once")
    save(client, article, title="Twice")
    fine, broken = Version.objects.get_for_object(article)[:2]
    Version.objects.filter(pk=broken.pk).update(serialized_data="[{not json")
    before = snapshot(article)
    for response in [
        client.get(revision_url(article, broken)),
        client.post(revision_url(article, broken), {"title": "x"}),
        client.get(compare_url(article, broken, fine)),
    ]:
        assert response.status_code == 409
        assert "Could not load" in response.content.decode()
    assert snapshot(article) == before


def test_recovering_an_article_whose_author_left(
    author, editor, client_for, make_article, django_user_model
):
    article = make_article(author=author, status=Article.Status.DRAFT)
    eddie = client_for(editor)
    save(eddie, article, title="Left behind")
    eddie.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    django_user_model.objects.filter(pk=author.pk).delete()
    version = Version.objects.get_deleted(Article).get(object_id=str(article.pk))
    recover = reverse("admin:articles_article_recover", args=[version.pk])
    page = eddie.get(recover)
    assert page.status_code == 200
    assert eddie.post(recover, form_data(page)).status_code == 302
    recovered = Article.objects.get(pk=article.pk)
    assert (recovered.title, recovered.author) == ("Left behind", None)


def test_importing_a_document_records_one_revision_that_restores(editor, client_for, tmp_path):
    from django.core.management import call_command

    from tests.test_importer import DOCUMENT

    path = tmp_path / "robots.txt"
    path.write_text(DOCUMENT, encoding="utf-8")
    call_command("import_document", str(path), "--tags", "Robots", stdout=None)
    article = Article.objects.get()
    (version,) = Version.objects.get_for_object(article)
    assert version.revision.get_comment() == "Created by importing robots.txt"
    assert version.revision.version_set.count() == 1 + 3 + 1  # article, sections, tag
    client = client_for(editor)
    imported = sections_of(article)
    save(client, article, **{"sections-0-DELETE": "on", "tags": "Other"})
    assert restore(client, article, version).status_code == 302
    assert sections_of(article) == imported
    assert article.tags.names()[0] == "Robots"


def test_restoring_an_address_another_article_took_asks_for_another(
    editor, client_for, make_article
):
    article = make_article(slug="first-address")
    client = client_for(editor)
    save(client, article, title="Named")
    save(client, article, slug="second-address")
    make_article(slug="first-address", title="Newcomer")
    before = snapshot(article)
    response = restore(client, article, version_with(article, "Edited: title"))
    assert response.status_code == 200
    assert "Article with this Slug already exists." in response.content.decode()
    assert snapshot(article) == before


def test_adding_an_article_reads_created_in_history(author, client_for):
    from tests.test_roles import ADD, new_article_data

    client = client_for(author)
    assert client.post(ADD, new_article_data(client)).status_code == 302
    article = Article.objects.get(slug="fresh-story")
    assert [(user, action) for _, _, user, action in history_rows(client, article)] == [
        ("Amy (amy)", "Created")
    ]


# A forged "Save as new" (the admin offers no such button) is refused, not half-saved.


@pytest.mark.parametrize("role", ["author", "editor"])
def test_a_forged_save_as_new_on_a_stale_restore_writes_nothing(
    role, author, editor, admin_user, client_for, make_article
):
    restorer = {"author": author, "editor": editor}[role]
    article = make_article(author=author, status=Article.Status.DRAFT, tags=["Kept"])
    mine = client_for(restorer)
    save(mine, article, title="Two")
    version = Version.objects.get_for_object(article).first()
    opened = mine.get(revision_url(article, version))
    save(
        client_for(admin_user), article, title="Newer", tags="Newer", **{"sections-1-DELETE": "on"}
    )
    before = snapshot(article), Article.objects.count()
    data = {**form_data(opened), "_saveasnew": "Save as new", "slug": "a-copy"}
    response = mine.post(revision_url(article, version), data)
    assert response.status_code == 403
    assert "Save as new" in response.content.decode()
    assert (snapshot(article), Article.objects.count()) == before


def test_a_forged_save_as_new_recovers_nothing(editor, client_for, make_article):
    article = make_article(slug="gone-for-good")
    client = client_for(editor)
    save(client, article, title="Deleted later")
    client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    version = Version.objects.get_deleted(Article).get(object_id=str(article.pk))
    recover = reverse("admin:articles_article_recover", args=[version.pk])
    data = {**form_data(client.get(recover)), "_saveasnew": "Save as new", "slug": "a-copy"}
    revisions = Revision.objects.count()
    response = client.post(recover, data)
    assert response.status_code == 403
    assert (Article.objects.count(), Revision.objects.count()) == (0, revisions)
    assert client.get("/articles/a-copy/").status_code == 404


def test_a_forged_save_as_new_on_the_change_form_copies_nothing(
    author, editor, client_for, make_article
):
    theirs = make_article(author=editor, title="Editor's published story")
    amy = client_for(author)
    data = {**form_data(amy.get(change_url(theirs))), "_saveasnew": "Save as new"}
    data["slug"] = "amys-copy"
    response = amy.post(change_url(theirs), data)
    assert response.status_code == 403
    assert Article.objects.count() == 1


def test_comparing_marks_only_the_topics_that_changed_and_reads_scheduled(
    editor, client_for, make_article
):
    article = make_article(status=Article.Status.DRAFT, tags=["Kowloon", "Robots"])
    client = client_for(editor)
    save(client, article, title="Tagged")
    first = Version.objects.get_for_object(article).first()
    later = timezone.localtime() + datetime.timedelta(days=3)
    day = later.strftime("%Y-%m-%d")
    save(client, article, tags="Robots, Sham Shui Po", status="published")
    save(client, article, published_at_0=day, published_at_1="09:00:00")
    second = Version.objects.get_for_object(article).first()
    page = BeautifulSoup(
        client.get(compare_url(article, first, second)).content.decode(), "html.parser"
    )
    rows = {
        tr.th.get_text(" ", strip=True).replace(" (changed)", ""): tr
        for tr in page.select(".version-compare tbody tr")
    }
    old, new = rows["Tags"].select("td")
    assert [d.get_text(strip=True) for d in old.select("del")] == ["Kowloon"]
    assert [i.get_text(strip=True) for i in new.select("ins")] == ["Sham Shui Po"]
    assert (old.get_text(), new.get_text()) == (
        "Kowloon, Robots",
        "Robots, Sham Shui Po",
    )
    status = rows["Status and time"].select("td")[1].get_text(" ", strip=True)
    assert status == f"Scheduled for {later.strftime('%-d %b %Y')} 09:00:00"


def test_history_says_a_recovered_article_was_recovered_and_is_back_on_the_site(
    editor, client_for, make_article
):
    article = make_article(slug="back-again")
    client = client_for(editor)
    save(client, article, title="Deleted, then back")
    client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    last = Version.objects.get_deleted(Article).get(object_id=str(article.pk))
    recover = reverse("admin:articles_article_recover", args=[last.pk])
    assert client.post(recover, form_data(client.get(recover))).status_code == 302
    when = timezone.localtime(last.revision.date_created).strftime("%-d %b %Y %H:%M:%S")
    assert history_rows(client, article)[0][3] == (
        f"Recovered the version of {when} by eddie. Published"
    )
    assert client.get("/articles/back-again/").status_code == 200


# Deleting keeps a version first: an article never saved in the admin (the seed, a
# command, the API) can be recovered, and so can what a later bulk update changed.


def recover_links(client):
    page = BeautifulSoup(client.get(RECOVER_LIST).content.decode(), "html.parser")
    return [a["href"] for a in page.select("#content-main a") if "/recover/" in a["href"]]


def test_an_article_never_saved_in_the_admin_can_be_recovered_after_deletion(
    editor, client_for, seeded
):
    article = seeded["rise-of-ai-in-hong-kong"]
    assert not Version.objects.get_for_object(article).exists()  # loaded, never edited
    content = snapshot(article)
    before = content[:4] + content[5:7]  # all but the edit token and the revision count
    client = client_for(editor)
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    (link,) = recover_links(client)
    assert client.post(link, form_data(client.get(link))).status_code == 302
    after = snapshot(article)
    assert after[:4] + after[5:7] == before
    assert client.get(f"/articles/{article.slug}/").status_code == 200


def test_a_bulk_delete_keeps_each_articles_latest_state_for_recovery(
    editor, client_for, make_article
):
    one, two = make_article(), make_article()
    client = client_for(editor)
    save(client, one, title="Saved in the form")
    Article.objects.filter(pk=one.pk).update(title="Changed by a command")
    response = client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [one.pk, two.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert Article.objects.count() == 0
    assert len(recover_links(client)) == 2
    version = Version.objects.get_deleted(Article).get(object_id=str(one.pk))
    assert version.field_dict["title"] == "Changed by a command"
    held = [v.object_id for v in version.revision.version_set.all() if v._model is Article]
    assert held == [str(one.pk)]  # one revision, one article


def test_history_names_only_the_sections_that_changed_or_moved(author, client_for, make_article):
    article = make_article(
        author=author,
        status=Article.Status.DRAFT,
        sections=[("One", "a"), ("Two", "b"), ("Three", "c"), ("Four", "d")],
    )
    amy = client_for(author)
    save(amy, article, **{"sections-0-DELETE": "on"})  # the others only close up
    save(amy, article, **{"sections-0-position": "9"})  # "Two" goes last
    save(amy, article, **{"sections-2-body": "B, edited"})
    assert [action for *_, action in history_rows(amy, article)] == [
        "Edited: section 3",
        "Edited: section 3",
        "Edited: 1 section removed",
    ]


def test_a_refused_restore_of_a_scheduled_article_says_scheduled(
    author, editor, client_for, make_article
):
    article = make_article(author=author, status=Article.Status.DRAFT)
    amy = client_for(author)
    save(amy, article, title="Amy's draft")
    version = Version.objects.get_for_object(article).first()
    later = timezone.localtime() + datetime.timedelta(days=3)
    save(
        client_for(editor),
        article,
        status="published",
        published_at_0=later.strftime("%Y-%m-%d"),
        published_at_1="09:00:00",
    )
    response = amy.get(revision_url(article, version))
    assert response.status_code == 403
    assert "This article is scheduled: only an editor may change it now" in (
        response.content.decode()
    )


def test_staff_without_a_role_are_told_why_history_is_refused(
    editor, client_for, make_article, django_user_model
):
    article = make_article()
    client = client_for(editor)
    save(client, article, title="Once")
    save(client, article, title="Twice")
    new, old = Version.objects.get_for_object(article)[:2]
    nobody = django_user_model.objects.create_user("nemo", "nemo@hkai.test", "pw", is_staff=True)
    stranger = client_for(nobody)
    for url in [
        history_url(article),
        compare_url(article, old, new),
        revision_url(article, old),
        RECOVER_LIST,
    ]:
        response = stranger.get(url)
        assert response.status_code == 403, url
        page = BeautifulSoup(response.content.decode(), "html.parser")
        assert "may" in page.select_one(".errornote").get_text(), url  # the reason
        assert "Nothing was changed." in page.get_text(), url


def test_the_restore_and_recover_pages_say_what_they_show(editor, client_for, make_article):
    from tests.helpers import texts

    article = make_article(title="Old title")
    client = client_for(editor)
    save(client, article, title="Older title")
    version = Version.objects.get_for_object(article).first()
    save(client, article, title="Live title")
    crumbs = texts(client.get(revision_url(article, version)), ".breadcrumbs")[0]
    assert crumbs.endswith("Live title › History › Restore a version")

    client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    deleted = Version.objects.get_deleted(Article).get(object_id=str(article.pk))
    when = timezone.localtime(deleted.revision.date_created).strftime("%-d %b %Y %H:%M:%S")
    rows = texts(client.get(RECOVER_LIST), "#change-history tbody tr")
    assert rows == [f"{when} Eddie (eddie) Deleted Live title"]
    page = client.get(reverse("admin:articles_article_recover", args=[deleted.pk]))
    assert f"as its last version holds it (Deleted, {when} by eddie)" in " ".join(
        texts(page, "#article_form p")
    )


def test_restoring_a_version_restores_its_lead_image(editor, client_for, make_article, make_image):
    first, second = make_image(size=(600, 400)), make_image(size=(600, 400))
    article = make_article()
    client = client_for(editor)
    save(client, article, lead_image=str(first.pk), title="With the first picture")
    save(client, article, lead_image=str(second.pk))
    assert history_rows(client, article)[0][3] == "Edited: lead image"
    assert Article.objects.get(pk=article.pk).lead_image == second
    assert (
        restore(client, article, version_with(article, "Edited: title, lead image")).status_code
        == 302
    )
    assert Article.objects.get(pk=article.pk).lead_image == first
    compare = client.get(compare_url(article, *Version.objects.get_for_object(article)[:2]))
    assert "Lead image" in compare.content.decode()


def test_restoring_a_version_restores_its_language(editor, client_for, make_article):
    article = make_article()
    client = client_for(editor)
    save(client, article, title="Written in English", language="en")
    save(client, article, language="zh-Hant-HK")
    assert history_rows(client, article)[0][3] == "Edited: language"
    restore(client, article, version_with(article, "Edited: title"))
    assert Article.objects.get(pk=article.pk).language == "en"


def test_a_version_older_than_languages_keeps_the_articles_language(
    editor, client_for, make_article
):
    """Versions saved before articles had a language hold none: restoring one keeps the
    language the article has, rather than making it English."""
    import json

    article = make_article()
    client = client_for(editor)
    save(client, article, title="Before languages", language="en")
    old = version_with(article, "Edited: title")
    data = json.loads(old.serialized_data)
    del data[0]["fields"]["language"]
    Version.objects.filter(pk=old.pk).update(serialized_data=json.dumps(data))
    save(client, article, language="zh-Hant-HK")
    restore(client, article, version_with(article, "Edited: title"))
    restored = Article.objects.get(pk=article.pk)
    assert (restored.title, restored.language) == ("Before languages", "zh-Hant-HK")
