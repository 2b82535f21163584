"""No lost edits: two editors, one article; revisions and restoring them; the audit trail."""

from bs4 import BeautifulSoup
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from reversion.models import Version

from articles.models import Article
from tests.helpers import change_url, form_data

CHANGELIST = reverse("admin:articles_article_changelist")


def test_second_of_two_concurrent_saves_is_refused(editor, admin_user, client_for, make_article):
    article = make_article(title="Original", sections=[("Intro", "First text.")])
    eddie, root = client_for(editor), client_for(admin_user)
    eddie_form = form_data(eddie.get(change_url(article)), publish=True)
    root_form = form_data(root.get(change_url(article)), publish=True)

    eddie_form["title"] = "Eddie's title"
    assert eddie.post(change_url(article), eddie_form).status_code == 302

    root_form["title"] = "Root's title"
    response = root.post(change_url(article), root_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Eddie changed this article at" in page
    assert "your changes were not saved" in page
    link = BeautifulSoup(page, "html.parser").find("a", string="Open the latest version")
    assert link["href"] == change_url(article)
    assert 'value="Root&#x27;s title"' in page  # what they typed is still there
    article.refresh_from_db()
    assert article.title == "Eddie's title"


def test_a_conflict_in_sections_alone_is_refused_too(editor, admin_user, client_for, make_article):
    article = make_article(sections=[("Intro", "First text.")])
    eddie, root = client_for(editor), client_for(admin_user)
    eddie_form = form_data(eddie.get(change_url(article)), publish=True)
    root_form = form_data(root.get(change_url(article)), publish=True)
    eddie_form["sections-0-body"] = "Eddie's body."
    assert eddie.post(change_url(article), eddie_form).status_code == 302
    root_form["sections-0-body"] = "Root's body."
    assert root.post(change_url(article), root_form).status_code == 200
    assert article.sections.get().body == "Eddie's body."


def test_reloading_after_a_conflict_lets_the_save_through(
    editor, admin_user, client_for, make_article
):
    article = make_article(title="Original")
    eddie, root = client_for(editor), client_for(admin_user)
    stale = form_data(root.get(change_url(article)), publish=True)
    fresh = form_data(eddie.get(change_url(article)), publish=True)
    fresh["title"] = "Eddie"
    eddie.post(change_url(article), fresh)
    stale["title"] = "Root"
    assert root.post(change_url(article), stale).status_code == 200
    reloaded = form_data(root.get(change_url(article)), publish=True)
    reloaded["title"] = "Root, after reloading"
    assert root.post(change_url(article), reloaded).status_code == 302
    article.refresh_from_db()
    assert article.title == "Root, after reloading"


def test_a_post_without_the_token_is_refused(admin_client, make_article):
    article = make_article(title="Kept")
    data = form_data(admin_client.get(change_url(article)), publish=True)
    del data["opened_token"]
    data["title"] = "Forged"
    assert admin_client.post(change_url(article), data).status_code == 200
    article.refresh_from_db()
    assert article.title == "Kept"


def save(client, article, **changes):
    data = form_data(client.get(change_url(article)), publish=True)
    data.update(changes)
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_every_save_keeps_a_revision_and_restoring_brings_back_sections_and_tags(
    admin_client, make_article
):
    article = make_article(title="Version one", sections=[("Alpha", "a"), ("Beta", "b")])
    save(admin_client, article, tags="Finance, Hong Kong")  # revision 1
    save(  # revision 2: other title, a section removed, one added, other tags
        admin_client,
        article,
        **{
            "title": "Version two",
            "tags": "Healthcare",
            "sections-1-DELETE": "on",
            "sections-TOTAL_FORMS": "3",
            "sections-2-heading": "Gamma",
            "sections-2-body": "c",
        },
    )
    article.refresh_from_db()
    assert [s.heading for s in article.sections.all()] == ["Alpha", "Gamma"]
    versions = Version.objects.get_for_object(article)
    assert versions.count() == 2

    history = admin_client.get(reverse("admin:articles_article_history", args=[article.pk]))
    first = versions.last()  # oldest
    revision_url = reverse("admin:articles_article_revision", args=[article.pk, first.pk])
    assert revision_url in history.content.decode()

    preview = admin_client.get(revision_url)
    assert preview.status_code == 200
    assert 'value="Version one"' in preview.content.decode()
    article.refresh_from_db()
    assert article.title == "Version two"  # looking at a revision changes nothing

    response = admin_client.post(revision_url, form_data(preview))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Version one"
    assert [s.heading for s in article.sections.all()] == ["Alpha", "Beta"]
    assert sorted(article.tags.names()) == ["Finance", "Hong Kong"]
    entry = LogEntry.objects.filter(object_id=str(article.pk)).order_by("-pk").first()
    assert entry.get_change_message().startswith("Restored the version of ")


def test_publish_and_unpublish_are_in_the_history_with_who(admin_client, admin_user, make_article):
    article = make_article(status=Article.Status.DRAFT)
    admin_client.post(CHANGELIST, {"action": "publish", "_selected_action": [article.pk]})
    admin_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [article.pk]})
    entries = LogEntry.objects.filter(object_id=str(article.pk)).order_by("pk")
    assert [(e.user, e.get_change_message()) for e in entries] == [
        (admin_user, "Published"),
        (admin_user, "Unpublished"),
    ]
    history = admin_client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert "Published" in history.content.decode()
    assert Version.objects.get_for_object(article).count() == 2
