"""Draft changes to live articles, autosave and the preview: readers keep the live
version until an Editor publishes; nothing typed is lost; roles and conflicts apply."""

from urllib.parse import urlencode

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from reversion.models import Version

from articles import limits
from articles.models import Article, ArticleDraft, Autosave, ContentVersion
from tests.helpers import PUBLISH, change_url, form_data, texts

OLD, NEW = "Ferries run on batteries", "Ferries run on hydrogen"


def reader_outputs(client, article):
    """Everything a reader or a program can get that shows the article's title."""
    slug = article.slug
    urls = [
        reverse("articles:detail", args=[slug]),
        reverse("articles:list"),
        reverse("articles:markdown", args=[slug]),
        reverse("articles:feed"),
        reverse("api:article", args=[slug]),
        reverse("api:articles"),
        reverse("articles:search") + "?q=ferries",
    ]
    return {url: client.get(url).content.decode() for url in urls}


def discard_url(article):
    return reverse("admin:articles_article_discard_draft", args=[article.pk])


def autosave_url(article):
    return reverse("admin:articles_article_autosave", args=[article.pk if article else "new"])


def preview_url(article):
    return reverse("admin:articles_article_preview", args=[article.pk if article else "new"])


@pytest.fixture
def live(make_article, author):
    return make_article(
        title=OLD, slug="ferries", author=author, sections=[("Harbour", "Old ferries text.")]
    )


def test_saving_a_live_article_keeps_readers_on_the_live_version(editor, client_for, client, live):
    eddie = client_for(editor)
    version = ContentVersion.objects.get().version
    versions = Version.objects.get_for_object(live).count()
    before = reader_outputs(client, live)
    data = form_data(eddie.get(change_url(live)))
    data["title"] = NEW
    data["sections-0-body"] = "New hydrogen text."
    response = eddie.post(change_url(live), data)
    assert response.status_code == 302
    assert response["Location"] == change_url(live)

    live.refresh_from_db()
    assert live.title == OLD and live.sections.get().body == "Old ferries text."
    assert ContentVersion.objects.get().version == version  # no cached page moves
    assert Version.objects.get_for_object(live).count() == versions
    after = reader_outputs(client, live)
    for url, page in after.items():
        assert NEW not in page, url
        assert page == before[url] or OLD in page or "ferries" in url, url
    assert OLD in after[reverse("articles:detail", args=["ferries"])]

    # The form shows the draft and says which version it is.
    page = eddie.get(change_url(live))
    shown = form_data(page)
    assert shown["title"] == NEW and shown["sections-0-body"].strip() == "New hydrogen text."
    notice = texts(page, "#version-notice")[0]
    assert notice.startswith("Live since ")
    assert "draft changes by eddie at " in notice
    assert "Saved draft changes" not in notice
    assert LogEntry.objects.filter(object_id=str(live.pk)).first().get_change_message() == (
        "Draft changes saved (not live)"
    )


def test_publish_changes_puts_the_draft_live_and_keeps_a_revision(editor, client_for, client, live):
    eddie = client_for(editor)
    data = form_data(eddie.get(change_url(live)))
    data["title"] = NEW
    eddie.post(change_url(live), data)
    versions = Version.objects.get_for_object(live).count()
    version = ContentVersion.objects.get().version

    response = eddie.post(change_url(live), {**form_data(eddie.get(change_url(live))), **PUBLISH})
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.title == NEW
    assert not ArticleDraft.objects.filter(article=live).exists()
    assert ContentVersion.objects.get().version != version
    assert Version.objects.get_for_object(live).count() == versions + 1
    assert NEW in client.get(live.get_absolute_url()).content.decode()
    message = LogEntry.objects.filter(object_id=str(live.pk)).first().get_change_message()
    assert message == "Published draft changes. Edited: title"
    assert "Live since" in texts(eddie.get(change_url(live)), "#version-notice")[0]
    assert "draft changes by" not in texts(eddie.get(change_url(live)), "#version-notice")[0]


def test_discard_draft_changes_brings_back_the_live_text(editor, client_for, live):
    eddie = client_for(editor)
    data = form_data(eddie.get(change_url(live)))
    data["title"] = NEW
    eddie.post(change_url(live), data)
    shown = form_data(eddie.get(change_url(live)))
    response = eddie.post(discard_url(live), shown)
    assert response.status_code == 302
    assert not ArticleDraft.objects.filter(article=live).exists()
    assert form_data(eddie.get(change_url(live)))["title"] == OLD
    live.refresh_from_db()
    assert live.title == OLD
    assert eddie.get(discard_url(live)).status_code == 405


def test_discarding_a_draft_saved_again_since_is_refused(editor, admin_user, client_for, live):
    eddie, root = client_for(editor), client_for(admin_user)
    data = form_data(eddie.get(change_url(live)))
    data["title"] = NEW
    eddie.post(change_url(live), data)
    stale = form_data(root.get(change_url(live)))
    again = form_data(eddie.get(change_url(live)))
    again["title"] = "Third title"
    eddie.post(change_url(live), again)
    root.post(discard_url(live), stale)
    assert ArticleDraft.objects.get(article=live).data["title"] == ["Third title"]


def test_a_stale_form_cannot_overwrite_draft_changes(editor, admin_user, client_for, live):
    eddie, root = client_for(editor), client_for(admin_user)
    root_form = form_data(root.get(change_url(live)))
    eddie_form = form_data(eddie.get(change_url(live)))
    eddie_form["title"] = NEW
    assert eddie.post(change_url(live), eddie_form).status_code == 302
    root_form["title"] = "Root's title"
    for extra in ({}, PUBLISH):
        response = root.post(change_url(live), {**root_form, **extra})
        assert response.status_code == 200
        assert "Eddie changed this article at" in response.content.decode()
    assert ArticleDraft.objects.get(article=live).data["title"] == [NEW]
    live.refresh_from_db()
    assert live.title == OLD


def test_an_author_drafts_changes_to_their_live_article_but_never_publishes(
    author, client_for, live
):
    amy = client_for(author)
    page = amy.get(change_url(live))
    assert page.status_code == 200
    data = form_data(page)
    assert "status" not in data  # shown, not changeable
    assert "Submit changes for review" in page.content.decode()
    assert 'name="_publish_changes"' not in page.content.decode()
    data["title"] = NEW
    refused = amy.post(change_url(live), {**data, **PUBLISH})
    assert refused.status_code == 403
    assert "Only an Editor may publish changes" in refused.content.decode()
    response = amy.post(change_url(live), {**data, "_submit_changes": "Submit"})
    assert response.status_code == 302
    draft = ArticleDraft.objects.get(article=live)
    assert draft.submitted_at is not None and draft.edited_by == author
    live.refresh_from_db()
    assert live.title == OLD and live.status == Article.Status.PUBLISHED
    assert "submitted for review" in texts(amy.get(change_url(live)), "#version-notice")[0]


def test_an_author_is_told_why_they_cannot_edit(author, other_author, client_for, make_article):
    amy = client_for(author)
    theirs = make_article(author=other_author)
    review = make_article(author=author, status=Article.Status.REVIEW)
    assert "only its author or an Editor" in texts(amy.get(change_url(theirs)), ".editor-notice")[0]
    notice = texts(amy.get(change_url(review)), ".editor-notice")[0]
    assert notice.startswith("Submitted for review — an Editor will publish it")
    assert amy.post(change_url(theirs), {"title": "x"}).status_code == 403
    assert amy.post(autosave_url(theirs), {"title": "x"}).status_code == 403
    assert not Autosave.objects.exists()


def test_the_preview_shows_the_draft_in_the_article_template(editor, client_for, client, live):
    eddie = client_for(editor)
    data = form_data(eddie.get(change_url(live)))
    data["title"] = NEW
    data["sections-0-body"] = "- one\n- two"
    eddie.post(change_url(live), data)
    response = eddie.get(preview_url(live))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<h1 class="article__title">{NEW}</h1>' in page
    assert "<li>one</li>" in page
    assert "site.css" in page
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "no-cache" in response["Cache-Control"]
    assert OLD in client.get(live.get_absolute_url()).content.decode()
    assert client.get(preview_url(live)).status_code == 302  # to the sign-in page


def test_autosave_keeps_typing_apart_from_the_article_and_offers_it_back(editor, client_for, live):
    eddie = client_for(editor)
    data = form_data(eddie.get(change_url(live)))
    data["title"] = "Half-typed head"
    response = eddie.post(autosave_url(live), data)
    assert response.status_code == 200
    assert set(response.json()) == {"saved_at"}
    live.refresh_from_db()
    assert live.title == OLD
    assert not ArticleDraft.objects.exists()

    offer = eddie.get(change_url(live))
    (link,) = texts(offer, ".autosave-offer a")
    assert link.startswith("Restore your unsaved changes from ")
    assert form_data(offer)["title"] == OLD
    restored = eddie.get(change_url(live) + "?restore=autosave")
    assert form_data(restored)["title"] == "Half-typed head"
    assert not texts(restored, ".autosave-offer")
    typed = eddie.get(preview_url(live) + "?typed=1").content.decode()
    assert "Half-typed head" in typed

    assert eddie.post(autosave_url(live), {"discard": "1"}).json() == {"discarded": True}
    assert not Autosave.objects.exists()
    assert not texts(eddie.get(change_url(live)), ".autosave-offer")


def test_autosave_is_per_user_and_a_save_clears_it(editor, admin_user, client_for, live):
    eddie, root = client_for(editor), client_for(admin_user)
    typed = form_data(eddie.get(change_url(live)))
    eddie.post(autosave_url(live), {**typed, "title": "Eddie typing"})
    root.post(autosave_url(live), {**typed, "title": "Root typing"})
    assert form_data(root.get(change_url(live) + "?restore=autosave"))["title"] == "Root typing"
    data = form_data(eddie.get(change_url(live) + "?restore=autosave"))
    assert data["title"] == "Eddie typing"
    assert eddie.post(change_url(live), data).status_code == 302
    assert list(Autosave.objects.values_list("user__username", flat=True)) == ["admin"]


def test_the_add_form_autosaves_and_restores_too(editor, client_for):
    eddie = client_for(editor)
    add = reverse("admin:articles_article_add")
    eddie.post(autosave_url(None), {"title": "A new story", "sections-TOTAL_FORMS": "1"})
    eddie.post(autosave_url(None), {"title": "A newer story", "sections-TOTAL_FORMS": "1"})
    assert Autosave.objects.count() == 1
    assert texts(eddie.get(add), ".autosave-offer a")[0].startswith("Restore your unsaved")
    assert form_data(eddie.get(add + "?restore=autosave"))["title"] == "A newer story"


def test_bad_autosave_and_preview_addresses_are_404_or_405(editor, client_for, live):
    eddie = client_for(editor)
    for url in ["/admin/articles/article/abc/preview/", "/admin/articles/article/999999/autosave/"]:
        assert eddie.get(url).status_code in (404, 405)
    assert eddie.post("/admin/articles/article/999999/autosave/", {}).status_code == 404
    assert eddie.get(preview_url(None)).status_code == 200
    assert eddie.get(autosave_url(live)).status_code == 405
    assert eddie.post(preview_url(live)).status_code == 405


def test_checks_before_publishing_warn_and_an_editor_may_publish_anyway(
    editor, client_for, make_article
):
    make_article(slug="unpublished-one", status=Article.Status.DRAFT)
    article = make_article(
        title="x" * 111,
        standfirst="",
        status=Article.Status.DRAFT,
        sections=[
            ("Same", "See [this](/articles/unpublished-one/) and [that](/articles/gone/)."),
            ("same ", ""),
        ],
    )
    eddie = client_for(editor)
    page = eddie.get(change_url(article))
    expected = [
        "There is no standfirst: lists and link previews will show none.",
        "The headline has 111 characters; search engines and feeds cut it after 110.",
        "Section 2 has no text.",
        "Sections 1 and 2 have the same heading.",
        "A link goes to /articles/unpublished-one/, which is not a published article: "
        "readers would get “page not found”.",
        "A link goes to /articles/gone/, which is not a published article: "
        "readers would get “page not found”.",
    ]
    assert texts(page, "#publish-checks li") == expected
    data = {**form_data(page), "status": "published"}
    refused = eddie.post(change_url(article), data)
    assert refused.status_code == 200
    assert "tick “Publish anyway”" in refused.content.decode()
    assert texts(refused, "#publish-checks li") == expected
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert eddie.post(change_url(article), {**data, "publish_anyway": "1"}).status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_publish_changes_is_checked_too_and_a_clean_article_has_no_checks(editor, client_for, live):
    eddie = client_for(editor)
    page = eddie.get(change_url(live))
    assert not texts(page, "#publish-checks")
    data = {**form_data(page), "standfirst": ""}
    assert eddie.post(change_url(live), data).status_code == 302  # a draft: no question
    assert texts(eddie.get(change_url(live)), "#publish-checks li") == [
        "There is no standfirst: lists and link previews will show none."
    ]
    assert eddie.post(change_url(live), {**data, **PUBLISH}).status_code == 200
    live.refresh_from_db()
    assert live.standfirst


def test_links_to_this_sites_articles_are_found_in_markdown():
    from articles.checks import linked_slugs

    body = (
        "[a](/articles/one/) [b](https://hkai.test/articles/two/#part) "
        "[c](https://elsewhere.test/articles/three/) [d](/articles/one.md) [e](/tags/x/)"
    )
    assert linked_slugs(body, ["hkai.test"]) == ["one", "two"]


def test_refused_admin_pages_say_why_in_the_admins_look(author, client_for, make_article):
    amy = client_for(author)
    article = make_article(author=author, status=Article.Status.DRAFT)
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    response = amy.get(delete)
    assert response.status_code == 403
    assert texts(response, ".errornote")[0].startswith("Only an Editor may delete articles.")
    assert 'id="site-name"' in response.content.decode()  # the admin's header
    # A refusal the admin itself raises (a user's page an Author may not see).
    users = reverse("admin:auth_user_changelist")
    response = amy.get(users)
    assert response.status_code == 403
    assert texts(response, ".errornote") == [
        "Your account may not do this. Ask an Editor or an administrator if you need to."
    ]
    assert 'id="site-name"' in response.content.decode()


def test_the_admin_speaks_plainly(admin_client, make_article):
    article = make_article(title=" ".join(["A long headline"] * 12), status="draft")
    form = admin_client.get(change_url(article))
    (slug_help,) = texts(form, "#id_slug_helptext")
    assert slug_help == "The article's address: /articles/<slug>/. Filled from the title."
    (when_help,) = texts(form, ".field-published_at div.help")
    assert when_help.endswith("Times are Asia/Hong_Kong time (UTC+08:00), to the second.")
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "Login attempts" in index and ">Tags<" in index
    assert "Axes" not in index and "Taggit" not in index
    changelist = admin_client.get(reverse("admin:articles_article_changelist"))
    (cell,) = texts(changelist, "#result_list th.field-headline")
    assert cell == article.title
    page = changelist.content.decode()
    assert f'title="{article.title}"' in page


def test_changelist_times_carry_seconds(admin_client, make_article):
    import datetime

    from django.utils import timezone

    at = timezone.make_aware(datetime.datetime(2026, 3, 4, 9, 5, 7))
    make_article(published_at=at)
    changelist = admin_client.get(reverse("admin:articles_article_changelist"))
    assert texts(changelist, "#result_list .field-published") == ["4 Mar 2026 09:05:07"]


def test_restoring_a_version_of_an_article_with_draft_changes_puts_it_live(
    editor, client_for, client, live
):
    eddie = client_for(editor)
    data = form_data(eddie.get(change_url(live)), publish=True)
    eddie.post(change_url(live), {**data, "title": "Second title"})
    first = Version.objects.get_for_object(live).last()
    draft = form_data(eddie.get(change_url(live)))
    eddie.post(change_url(live), {**draft, "title": "Draft title"})
    restore = reverse("admin:articles_article_revision", args=[live.pk, first.pk])
    response = eddie.post(restore, form_data(eddie.get(restore)))
    assert response.status_code == 302, texts(response, ".errornote, .errorlist")
    live.refresh_from_db()
    assert live.title == "Second title"  # the version's, not the draft's
    assert not ArticleDraft.objects.filter(article=live).exists()


def test_the_list_tells_which_live_articles_have_draft_changes(
    editor, author, client_for, make_article
):
    plain, drafted, submitted = (make_article(author=author) for _ in range(3))
    eddie, amy = client_for(editor), client_for(author)
    eddie.post(change_url(drafted), form_data(eddie.get(change_url(drafted))))
    amy.post(
        change_url(submitted), {**form_data(amy.get(change_url(submitted))), "_submit_changes": "1"}
    )
    page = eddie.get(reverse("admin:articles_article_changelist"))
    titles = texts(page, "#result_list th.field-headline")
    states = dict(zip(titles, texts(page, "#result_list td.field-state"), strict=True))
    assert states == {
        plain.title: "Published",
        drafted.title: "Published · draft changes",
        submitted.title: "Published · changes in review",
    }


def test_the_preview_shows_the_lead_image_chosen_on_the_form(
    editor, client_for, client, live, make_image
):
    eddie = client_for(editor)
    image = make_image(size=(900, 600))
    data = form_data(eddie.get(change_url(live)))
    data["lead_image"] = str(image.pk)
    eddie.post(change_url(live), data)  # draft changes: readers keep no image
    assert "<picture" in eddie.get(preview_url(live)).content.decode()
    assert "<picture" not in client.get(live.get_absolute_url()).content.decode()
    data["lead_image"] = "junk"
    eddie.post(autosave_url(live), data)
    assert eddie.get(preview_url(live)).status_code == 200


def test_an_editor_publishes_an_authors_draft_changes_as_they_stand(
    author, other_author, editor, client_for, client, live
):
    amy, eddie = client_for(author), client_for(editor)
    published_at = live.published_at
    data = form_data(amy.get(change_url(live)))
    data["title"] = NEW
    # The Author's form has no status, publication time or byline: forged ones are dropped.
    forged = {"status": "draft", "author": str(other_author.pk), "published_at_0": "2030-01-01"}
    response = amy.post(change_url(live), {**data, **forged, "_submit_changes": "Submit"})
    assert response.status_code == 302
    assert not {"status", "author", "published_at_0"} & set(ArticleDraft.objects.get().data)

    shown = form_data(eddie.get(change_url(live)))
    assert shown["title"] == NEW and shown["status"] == "published"
    assert shown["author"] == str(author.pk) and shown["published_at_0"]
    response = eddie.post(change_url(live), {**shown, **PUBLISH})
    assert response.status_code == 302, texts(response, ".errornote, .errorlist")
    live.refresh_from_db()
    assert (live.title, live.status, live.author) == (NEW, Article.Status.PUBLISHED, author)
    assert live.published_at.replace(microsecond=0) == published_at.replace(microsecond=0)
    assert NEW in client.get(live.get_absolute_url()).content.decode()


def test_an_image_number_too_large_for_the_database_is_a_form_error(editor, client_for, live):
    eddie = client_for(editor)
    data = form_data(eddie.get(change_url(live)))
    data["lead_image"] = "99999999999999999999"
    response = eddie.post(change_url(live), {**data, **PUBLISH})
    assert response.status_code == 200
    assert "Select a valid choice" in " ".join(texts(response, ".errorlist"))
    for junk in ("99999999999999999999", "junk"):
        eddie.post(autosave_url(live), {**data, "lead_image": junk})
        assert eddie.get(change_url(live) + "?restore=autosave").status_code == 200
        assert eddie.get(preview_url(live) + "?typed=1").status_code == 200


def test_a_long_article_saves_and_autosaves_whole(editor, client_for, make_article):
    # 200 sections: some 1,400 form fields, past Django's default limit of 1,000.
    long = make_article(sections=[(f"Part {n}", f"Text {n}.") for n in range(200)])
    eddie = client_for(editor)
    data = form_data(eddie.get(change_url(long)))
    data["sections-199-body"] = "The last part, changed."
    assert eddie.post(autosave_url(long), data).status_code == 200
    assert eddie.post(change_url(long), {**data, **PUBLISH}).status_code == 302
    assert long.sections.get(position=199).body == "The last part, changed."


def test_an_article_with_two_sections_of_the_longest_chinese_text_saves(
    editor, client_for, make_article
):
    longest = "香港" * (limits.SECTION_BODY_MAX_LENGTH // 2)
    article = make_article(sections=[("One", "x"), ("Two", "y")])
    eddie = client_for(editor)
    data = form_data(eddie.get(change_url(article)), publish=True)
    data["sections-0-body"] = data["sections-1-body"] = longest
    data["standfirst"] = "Two long parts."
    assert eddie.post(autosave_url(article), data).status_code == 200
    # As the browser sends the form (no file field: URL-encoded, 9 bytes a character).
    body = urlencode({**data, "publish_anyway": "on"}, doseq=True)
    form = "application/x-www-form-urlencoded"
    assert eddie.post(change_url(article), body, content_type=form).status_code == 302
    assert article.sections.get(position=1).body == longest
