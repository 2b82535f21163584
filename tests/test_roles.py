"""Authors write and submit their own drafts; Editors edit everything and publish."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.helpers import change_url, form_data

ADD = reverse("admin:articles_article_add")
CHANGELIST = reverse("admin:articles_article_changelist")


def new_article_data(client, **fields):
    data = form_data(client.get(ADD))
    data.update(
        {
            "title": "Fresh story",
            "slug": "fresh-story",
            "status": "draft",
            "sections-TOTAL_FORMS": "1",
            "sections-0-body": "Text.",
            **fields,
        }
    )
    return data


def test_groups_exist_with_the_publish_permission_only_for_editors(db):
    editors = Group.objects.get(name="Editors")
    authors = Group.objects.get(name="Authors")
    assert editors.permissions.filter(codename="publish_article").exists()
    assert not authors.permissions.filter(codename="publish_article").exists()
    assert authors.permissions.filter(codename="add_article").exists()


def test_author_creates_a_draft_owned_by_them(author, client_for):
    client = client_for(author)
    response = client.post(ADD, new_article_data(client))
    assert response.status_code == 302
    article = Article.objects.get(slug="fresh-story")
    assert article.author == author
    assert article.status == Article.Status.DRAFT


def test_author_does_not_see_publication_fields_or_actions(author, client_for):
    client = client_for(author)
    page = client.get(ADD).content.decode()
    assert 'name="published_at_0"' not in page
    assert 'name="author"' not in page
    assert '<option value="published"' not in page
    assert '<option value="review">In review</option>' in page
    changelist = client.get(CHANGELIST).content.decode()
    assert 'value="publish"' not in changelist


def test_author_submits_for_review_and_then_cannot_edit(author, client_for, make_article):
    article = make_article(author=author, status=Article.Status.DRAFT)
    client = client_for(author)
    data = form_data(client.get(change_url(article)), publish=True)
    data["status"] = "review"
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    # In review the article is the editors' to publish: the author sees it read-only.
    page = client.get(change_url(article)).content.decode()
    assert 'name="title"' not in page
    data["title"] = "Sneaky edit"
    assert client.post(change_url(article), data).status_code == 403


@pytest.mark.parametrize("forged", [{"status": "published"}])
def test_forged_publish_by_an_author_is_refused(author, client_for, make_article, forged):
    article = make_article(author=author, status=Article.Status.DRAFT)
    client = client_for(author)
    data = form_data(client.get(change_url(article)), publish=True)
    data.update(forged)
    data.update({"published_at_0": "2026-01-01", "published_at_1": "09:00:00"})
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert "Select a valid choice. published is not one of the available choices." in (
        response.content.decode()
    )
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT and article.published_at is None


def test_forged_publish_action_by_an_author_is_refused(author, client_for, make_article):
    article = make_article(author=author, status=Article.Status.DRAFT)
    client = client_for(author)
    response = client.post(CHANGELIST, {"action": "publish", "_selected_action": [article.pk]})
    assert response.status_code in (200, 302, 403)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_author_cannot_edit_someone_elses_article(author, other_author, client_for, make_article):
    theirs = make_article(author=other_author, status=Article.Status.DRAFT, title="Oscar's")
    client = client_for(author)
    page = client.get(change_url(theirs))
    assert page.status_code == 200  # may read it
    assert 'name="title"' not in page.content.decode()
    data = {"title": "Hijacked", "slug": theirs.slug, "status": "draft"}
    assert client.post(change_url(theirs), data).status_code == 403
    theirs.refresh_from_db()
    assert theirs.title == "Oscar's"


def test_author_cannot_edit_a_scheduled_article_even_their_own(author, client_for, make_article):
    article = make_article(author=author, published_at=timezone.now() + datetime.timedelta(days=1))
    client = client_for(author)
    assert 'name="title"' not in client.get(change_url(article)).content.decode()
    assert client.post(change_url(article), {"title": "x"}).status_code == 403


def test_author_cannot_delete_their_live_article(author, client_for, make_article):
    article = make_article(author=author)
    client = client_for(author)
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_author_cannot_delete(author, client_for, make_article):
    article = make_article(author=author, status=Article.Status.DRAFT)
    client = client_for(author)
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_editor_publishes_schedules_and_unpublishes(editor, client_for, make_article, author):
    article = make_article(author=author, status=Article.Status.REVIEW)
    client = client_for(editor)
    data = form_data(client.get(change_url(article)), publish=True)
    later = timezone.localtime() + datetime.timedelta(days=2)
    data.update(
        {
            "status": "published",
            "published_at_0": later.strftime("%Y-%m-%d"),
            "published_at_1": later.strftime("%H:%M:%S"),
        }
    )
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.is_scheduled and not article.is_published
    assert "Scheduled for" in client.get(CHANGELIST).content.decode()
    response = client.post(
        CHANGELIST, {"action": "unpublish", "_selected_action": [article.pk]}, follow=True
    )
    assert "Unpublished 1 article." in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_editor_publishing_without_a_time_publishes_now(editor, client_for, make_article):
    article = make_article(status=Article.Status.REVIEW)
    client = client_for(editor)
    data = form_data(client.get(change_url(article)), publish=True)
    data.update({"status": "published", "published_at_0": "", "published_at_1": ""})
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.is_published
    assert timezone.now() - article.published_at < datetime.timedelta(minutes=1)


def test_editor_edits_anyones_article(editor, author, client_for, make_article):
    article = make_article(author=author, title="Before")
    client = client_for(editor)
    data = form_data(client.get(change_url(article)), publish=True)
    data["title"] = "After"
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.title == "After"
    assert article.author == author  # the byline stays the author's
    assert article.last_edited_by == editor


def test_changelist_shows_each_state(admin_client, make_article):
    make_article(title="D", status=Article.Status.DRAFT)
    make_article(title="R", status=Article.Status.REVIEW)
    make_article(title="P")
    when = timezone.now() + datetime.timedelta(days=1)
    make_article(title="S", published_at=when)
    page = admin_client.get(CHANGELIST).content.decode()
    for label in ("Draft", "In review", "Published", "Scheduled for"):
        assert label in page


def test_anonymous_users_get_the_login_page(client, make_article):
    article = make_article()
    response = client.post(change_url(article), {"title": "x"})
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
