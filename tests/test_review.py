"""Review: an Author submits, every Editor is emailed and sees it waiting on the admin
index, an Editor publishes it or requests changes with a comment, the Author may
withdraw. Mail goes to a real SMTP server on 127.0.0.1 (the `smtp_server` fixture);
when it cannot be sent the action stands, the failure is shown, and a retry sends it."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import limits, mail
from articles.models import Article, ArticleDraft, OutgoingMail, ReviewStep
from tests.conftest import _member
from tests.helpers import PUBLISH, change_url, form_data, texts

INDEX = reverse("admin:index")
OUTBOX = reverse("admin:articles_outgoingmail_changelist")
Action = ReviewStep.Action


def request_changes_url(article_or_pk):
    pk = getattr(article_or_pk, "pk", article_or_pk)
    return reverse("admin:articles_article_request_changes", args=[pk])


def withdraw_url(article_or_pk):
    pk = getattr(article_or_pk, "pk", article_or_pk)
    return reverse("admin:articles_article_withdraw", args=[pk])


def history_url(article):
    return reverse("admin:articles_article_history", args=[article.pk])


@pytest.fixture
def second_editor(db, django_user_model):
    return _member(django_user_model, "erin", "Editors")


@pytest.fixture
def draft(make_article, author):
    return make_article(
        title="Harbour tunnel tolls", author=author, status=Article.Status.DRAFT, published_at=None
    )


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what waits for the commit (sending mail) as a real commit would."""

    def capture():
        return django_capture_on_commit_callbacks(execute=True)

    return capture


def assert_consistent():
    """An article is in review exactly while one submission of it waits."""
    in_review = set(
        Article.objects.filter(status=Article.Status.REVIEW).values_list("pk", flat=True)
    )
    in_review |= set(
        ArticleDraft.objects.filter(
            submitted_at__isnull=False, article__status=Article.Status.PUBLISHED
        ).values_list("article_id", flat=True)
    )
    waiting = list(ReviewStep.objects.filter(waiting=True).values_list("article_id", flat=True))
    assert sorted(waiting) == sorted(in_review)


def submit(client, article, commits, **extra):
    data = form_data(client.get(change_url(article)))
    data.update(extra)
    with commits():
        response = client.post(change_url(article), {**data, "_submit_for_review": "Submit"})
    return response


def test_an_author_submits_and_every_editor_is_emailed_and_sees_it_waiting(
    smtp_server, author, editor, second_editor, client_for, draft, commits
):
    amy = client_for(author)
    page = amy.get(change_url(draft)).content.decode()
    assert 'name="_submit_for_review"' in page
    response = submit(amy, draft, commits)
    assert response.status_code == 302 and response["Location"] == change_url(draft)
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW
    step = ReviewStep.objects.get()
    assert (step.action, step.by, step.waiting, step.of_changes) == (
        Action.SUBMITTED,
        author,
        True,
        False,
    )
    assert_consistent()

    assert sorted(m["To"] for m in smtp_server.messages) == ["eddie@hkai.test", "erin@hkai.test"]
    message = smtp_server.to("eddie@hkai.test")[0]
    assert message["Subject"] == "Waiting for review: Harbour tunnel tolls"
    body = message.get_content()
    assert "Amy submitted the article “Harbour tunnel tolls” for review" in body
    assert f"http://testserver{change_url(draft)}" in body
    assert all(row.sent_at for row in OutgoingMail.objects.all())

    index = client_for(editor).get(INDEX)
    rows = texts(index, "#waiting-for-review tbody tr")
    assert len(rows) == 1
    assert rows[0].startswith("Harbour tunnel tolls New article Amy ")
    assert f'href="{change_url(draft)}"' in index.content.decode()
    # The Author reads their own submission's state; Editors' decisions are not offered.
    page = amy.get(change_url(draft)).content.decode()
    assert "Waiting for review: the article, submitted by Amy" in page
    assert "Request changes" not in page and "Withdraw from review" in page


def test_an_editor_requests_changes_and_the_author_reads_them_on_the_form_and_by_email(
    smtp_server, author, editor, client_for, draft, commits
):
    amy, eddie = client_for(author), client_for(editor)
    submit(amy, draft, commits)
    page = eddie.get(change_url(draft)).content.decode()
    assert "Request changes" in page and 'name="_review_comment"' in page
    assert "Withdraw from review" not in page
    comment = "Name the source of the toll figures.\n\nAnd shorten the title."
    with commits():
        response = eddie.post(request_changes_url(draft), {"_review_comment": comment})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert ReviewStep.objects.filter(action=Action.CHANGES_REQUESTED, comment=comment).exists()
    assert_consistent()

    message = smtp_server.to("amy@hkai.test")[0]
    assert message["Subject"] == "Changes requested: Harbour tunnel tolls"
    assert "Name the source of the toll figures." in message.get_content()

    form = amy.get(change_url(draft))
    shown = texts(form, "#review-changes-requested")[0]
    assert "Changes requested by Eddie at" in shown
    assert "Name the source of the toll figures. And shorten the title." in shown
    assert 'name="title"' in form.content.decode()  # hers to edit again

    history = texts(amy.get(history_url(draft)), "#review-history tbody tr")
    assert history[0].startswith(timezone.localtime().strftime("%-d %b %Y"))
    assert "Eddie (eddie) Changes requested Name the source" in history[0]
    assert "Amy (amy) Submitted for review" in history[1]


@pytest.mark.parametrize("later", [False, True], ids=["now", "scheduled"])
def test_the_author_resubmits_and_an_editor_publishes_now_or_at_a_time(
    smtp_server, author, editor, client_for, draft, commits, client, later
):
    amy, eddie = client_for(author), client_for(editor)
    submit(amy, draft, commits)
    with commits():
        eddie.post(request_changes_url(draft), {"_review_comment": "Shorter title."})
    assert submit(amy, draft, commits, title="Tunnel tolls").status_code == 302
    assert ReviewStep.objects.filter(action=Action.SUBMITTED).count() == 2
    assert len(smtp_server.to("eddie@hkai.test")) == 2  # told of each submission
    smtp_server.messages.clear()

    data = form_data(eddie.get(change_url(draft)))
    data["status"] = "published"
    when = timezone.localtime() + datetime.timedelta(days=1)
    if later:
        data["published_at_0"], data["published_at_1"] = f"{when:%Y-%m-%d}", "09:00:00"
    data["publish_anyway"] = "1"
    with commits():
        assert eddie.post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    steps = list(ReviewStep.objects.values_list("action", "by__username", "waiting"))
    assert steps[-1] == (Action.APPROVED, "eddie", False)
    assert_consistent()
    body = smtp_server.to("amy@hkai.test")[0].get_content()
    assert "Eddie" in body
    if later:
        assert draft.is_scheduled
        assert f"it appears on the site at {when:%-d %b %Y} 09:00" in body
        assert client.get(draft.get_absolute_url()).status_code == 404
    else:
        assert "published it: readers see it now" in body
        assert client.get(draft.get_absolute_url()).status_code == 200
    assert texts(eddie.get(INDEX), "#waiting-for-review tbody tr") == [
        "Nothing is waiting for review."
    ]


def test_draft_changes_of_a_live_article_go_through_review(
    smtp_server, author, editor, client_for, make_article, commits, client
):
    live = make_article(title="Ferries", author=author)
    amy, eddie = client_for(author), client_for(editor)
    data = form_data(amy.get(change_url(live)))
    data["title"] = "Hydrogen ferries"
    with commits():
        amy.post(change_url(live), {**data, "_submit_changes": "Submit"})
    step = ReviewStep.objects.get(waiting=True)
    assert step.of_changes and step.by == author
    assert_consistent()
    assert "submitted draft changes to the live article “Ferries”" in (
        smtp_server.to("eddie@hkai.test")[0].get_content()
    )
    # Saving again (a plain "Save") keeps it waiting with the latest changes; no second mail.
    data = form_data(amy.get(change_url(live)))
    data["standfirst"] = "Quieter, too."
    with commits():
        assert amy.post(change_url(live), data).status_code == 302
    assert ReviewStep.objects.count() == 1 and len(smtp_server.messages) == 1
    assert "Changes to the live article" in texts(eddie.get(INDEX), "#waiting-for-review tr")[1]

    with commits():
        eddie.post(request_changes_url(live), {"_review_comment": "Cite the trial."})
    assert ArticleDraft.objects.get(article=live).submitted_at is None  # kept, not submitted
    assert_consistent()
    data = form_data(amy.get(change_url(live)))
    assert data["title"] == "Hydrogen ferries"
    with commits():
        amy.post(change_url(live), {**data, "_submit_changes": "Submit"})
    with commits():
        response = eddie.post(
            change_url(live), form_data(eddie.get(change_url(live)), publish=True)
        )
    assert response.status_code == 302
    assert not ArticleDraft.objects.exists()
    last = ReviewStep.objects.last()
    assert (last.action, last.of_changes, last.by) == (Action.APPROVED, True, editor)
    assert_consistent()
    assert "readers see it now" in smtp_server.to("amy@hkai.test")[-1].get_content()
    assert "Hydrogen ferries" in client.get(live.get_absolute_url()).content.decode()


def test_the_author_withdraws_to_keep_editing(author, client_for, draft, commits, editor):
    amy = client_for(author)
    submit(amy, draft, commits)
    assert amy.post(change_url(draft), {"title": "x"}).status_code == 403  # read-only now
    response = amy.post(withdraw_url(draft), follow=True)
    assert "Withdrawn from review" in texts(response, ".messagelist")[0]
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert ReviewStep.objects.last().action == Action.WITHDRAWN
    assert_consistent()
    data = form_data(amy.get(change_url(draft)))
    data["title"] = "Edited after withdrawing"
    assert amy.post(change_url(draft), data).status_code == 302
    assert "Withdrawn from review" in texts(amy.get(history_url(draft)), "#review-history")[0]


def test_other_ways_out_of_review_are_recorded_too(
    author, editor, client_for, make_article, commits
):
    """The status select, the bulk actions and discarding draft changes all end the
    submission, so the list never shows what is no longer waiting."""
    eddie, amy = client_for(editor), client_for(author)
    first = make_article(author=author, status=Article.Status.DRAFT, published_at=None)
    second = make_article(author=author, status=Article.Status.DRAFT, published_at=None)
    submit(amy, first, commits)
    submit(amy, second, commits)
    data = form_data(eddie.get(change_url(first)))
    data["status"] = "draft"
    eddie.post(change_url(first), data)
    assert ReviewStep.objects.filter(article=first).last().action == Action.RETURNED
    with commits():
        eddie.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish", "_selected_action": [second.pk]},
        )
    assert ReviewStep.objects.filter(article=second).last().action == Action.APPROVED
    live = make_article(author=author)
    data = form_data(amy.get(change_url(live)))
    data["title"] = "Changed"
    amy.post(change_url(live), {**data, "_submit_changes": "Submit"})
    token = str(ArticleDraft.objects.get(article=live).token)
    discard = reverse("admin:articles_article_discard_draft", args=[live.pk])
    assert amy.post(discard, {"opened_token": token}).status_code == 302
    assert ReviewStep.objects.filter(article=live).last().action == Action.WITHDRAWN
    assert_consistent()


def test_unpublishing_ends_a_submission_of_changes_and_republishing_asks_nothing(
    smtp_server, author, editor, second_editor, client_for, make_article, commits
):
    """The bulk actions keep a live article's draft changes: once unpublished they are
    no longer submitted, so publishing the article again puts nothing up for review."""
    eddie, amy = client_for(editor), client_for(author)
    live = make_article(author=author)
    data = {**form_data(amy.get(change_url(live))), "title": "Changed"}
    with commits():
        amy.post(change_url(live), {**data, "_submit_changes": "Submit"})
    changelist = reverse("admin:articles_article_changelist")
    with commits():
        eddie.post(changelist, {"action": "unpublish", "_selected_action": [live.pk]})
    assert ReviewStep.objects.filter(article=live).last().action == Action.RETURNED
    assert ArticleDraft.objects.get(article=live).submitted_at is None
    assert texts(eddie.get(changelist), "#result_list .field-state") == ["Draft · draft changes"]
    smtp_server.messages.clear()
    with commits():
        eddie.post(changelist, {"action": "publish", "_selected_action": [live.pk]})
    assert not ReviewStep.objects.filter(waiting=True).exists()
    assert smtp_server.messages == []
    assert texts(eddie.get(INDEX), "#waiting-for-review tbody tr") == [
        "Nothing is waiting for review."
    ]
    assert_consistent()


# Roles, each enforced on the server: forged requests.


def test_only_editors_request_changes(author, other_author, client_for, draft, commits):
    amy = client_for(author)
    submit(amy, draft, commits)
    for who in (author, other_author):
        response = client_for(who).post(request_changes_url(draft), {"_review_comment": "Mine!"})
        assert response.status_code == 403
        assert "Only an Editor may request changes" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW
    assert ReviewStep.objects.count() == 1


def test_only_editors_approve_and_publish(author, client_for, draft, commits, make_article):
    amy = client_for(author)
    submit(amy, draft, commits)
    data = {**form_data(client_for(author).get(change_url(draft))), "status": "published"}
    assert amy.post(change_url(draft), data).status_code == 403
    live = make_article(author=author)
    form = form_data(amy.get(change_url(live)))
    amy.post(change_url(live), {**form, "title": "New", "_submit_changes": "Submit"})
    form = form_data(amy.get(change_url(live)))
    assert amy.post(change_url(live), {**form, **PUBLISH}).status_code == 403
    changelist = reverse("admin:articles_article_changelist")
    amy.post(changelist, {"action": "publish", "_selected_action": [draft.pk, live.pk]})
    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.status == Article.Status.REVIEW and live.title != "New"
    assert not ReviewStep.objects.filter(action=Action.APPROVED).exists()
    assert_consistent()


def test_authors_submit_and_withdraw_only_their_own_articles(
    author, other_author, editor, client_for, draft, commits
):
    oscar = client_for(other_author)
    data = form_data(client_for(author).get(change_url(draft)))
    response = oscar.post(change_url(draft), {**data, "_submit_for_review": "Submit"})
    assert response.status_code == 403
    assert not ReviewStep.objects.exists()
    submit(client_for(author), draft, commits)
    response = oscar.post(withdraw_url(draft))
    assert response.status_code == 403
    assert "Only the article’s author may withdraw it" in response.content.decode()
    assert client_for(editor).post(withdraw_url(draft)).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW
    # Authors see their own submissions on the index, not other people's.
    assert texts(oscar.get(INDEX), "#waiting-for-review tbody tr") == [
        "Nothing is waiting for review."
    ]
    own = client_for(author).get(INDEX)
    assert texts(own, "#waiting-for-review caption") == ["Your articles waiting for review"]
    assert len(texts(own, "#waiting-for-review tbody tr")) == 1


def test_signed_out_and_get_requests_change_nothing(client, author, client_for, draft, commits):
    submit(client_for(author), draft, commits)
    response = client.post(withdraw_url(draft))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client_for(author).get(withdraw_url(draft)).status_code == 405
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW


# Bad input: a clear error or a 404, never a 500, nothing half-saved.


def test_a_megabyte_comment_is_refused_with_the_limit_and_nothing_changes(
    smtp_server, author, editor, client_for, draft, commits
):
    submit(client_for(author), draft, commits)
    smtp_server.messages.clear()
    eddie = client_for(editor)
    with commits():
        response = eddie.post(
            request_changes_url(draft), {"_review_comment": "x" * 1_000_000}, follow=True
        )
    assert response.status_code == 200
    error = texts(response, ".messagelist .error")[0]
    assert f"at most {limits.REVIEW_COMMENT_MAX_LENGTH:,} characters; this one has 1,000,000" in (
        error
    )
    blank = eddie.post(request_changes_url(draft), {"_review_comment": "  \n "}, follow=True)
    assert "Say what should change" in texts(blank, ".messagelist .error")[0]
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW
    assert ReviewStep.objects.count() == 1 and smtp_server.messages == []
    assert_consistent()


def test_a_title_with_line_breaks_is_sent_on_one_subject_line(
    smtp_server, author, editor, client_for, draft, commits
):
    # A forged form (no browser's text box sends one) puts line breaks in the title:
    # the subject header carries it on one line, and nothing else becomes a header.
    amy = client_for(author)
    title = "Harbour tolls\r\nBcc: someone@elsewhere.test\n\tcut"
    submit(amy, draft, commits, title=title)
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW
    [message] = smtp_server.messages
    assert message["Subject"] == "Waiting for review: Harbour tolls Bcc: someone@elsewhere.test cut"
    assert message["Bcc"] is None and message["To"] == "eddie@hkai.test"
    assert OutgoingMail.objects.get().last_error == ""
    # A row queued before subjects were made one line goes too, when retried.
    OutgoingMail.objects.create(
        to="eddie@hkai.test", subject="Old\r\nrow", body="Body", created_at=timezone.now()
    )
    assert mail.send_waiting() == (1, 0)
    assert smtp_server.messages[-1]["Subject"] == "Old row"


def test_submitting_twice_records_one_submission_and_one_mail_each(
    smtp_server, author, editor, client_for, draft, commits, make_article
):
    amy = client_for(author)
    data = {**form_data(amy.get(change_url(draft))), "_submit_for_review": "Submit"}
    with commits():
        assert amy.post(change_url(draft), data).status_code == 302
        assert amy.post(change_url(draft), data).status_code == 403  # in review: read-only
    assert ReviewStep.objects.count() == 1 and len(smtp_server.messages) == 1
    live = make_article(author=author)
    data = {**form_data(amy.get(change_url(live))), "title": "New", "_submit_changes": "Submit"}
    with commits():
        assert amy.post(change_url(live), data).status_code == 302
    again = {**form_data(amy.get(change_url(live))), "_submit_changes": "Submit"}
    with commits():
        assert amy.post(change_url(live), again).status_code == 302
    assert ReviewStep.objects.filter(article=live).count() == 1
    assert len(smtp_server.messages) == 2
    assert_consistent()


def test_withdrawing_or_deciding_what_is_not_waiting_is_a_clear_error(
    author, editor, client_for, draft
):
    amy, eddie = client_for(author), client_for(editor)
    response = amy.post(withdraw_url(draft), follow=True)
    assert (
        "not waiting for review: there is nothing to withdraw"
        in (texts(response, ".messagelist .error")[0])
    )
    response = eddie.post(request_changes_url(draft), {"_review_comment": "Hm"}, follow=True)
    assert "not waiting for review" in texts(response, ".messagelist .error")[0]
    assert not ReviewStep.objects.exists()


@pytest.mark.parametrize("object_id", ["deleted", "abc", "9" * 30, "-1"])
def test_acting_on_a_deleted_or_unknown_article_is_404(
    author, editor, client_for, draft, commits, object_id
):
    submit(client_for(author), draft, commits)
    pk = draft.pk if object_id == "deleted" else object_id
    if object_id == "deleted":
        draft.delete()
    for who, url in ((editor, request_changes_url(pk)), (author, withdraw_url(pk))):
        assert client_for(who).post(url, {"_review_comment": "Fine."}).status_code == 404
    assert not ReviewStep.objects.filter(action=Action.CHANGES_REQUESTED).exists()


def test_the_database_refuses_a_second_waiting_submission_and_a_long_comment(draft, author):
    now = timezone.now()
    ReviewStep.objects.create(
        article=draft, action=Action.SUBMITTED, by=author, at=now, waiting=True
    )
    refused = [
        {"action": Action.SUBMITTED, "waiting": True},
        {"action": Action.WITHDRAWN, "waiting": True},
        {"action": Action.CHANGES_REQUESTED, "comment": ""},
        {"action": Action.CHANGES_REQUESTED, "comment": "x" * 5001},
        {"action": "shrug"},
    ]
    for fields in refused:
        with pytest.raises(IntegrityError), transaction.atomic():
            ReviewStep.objects.create(article=draft, by=author, at=now, **fields)


# Mail that cannot be sent: the action stands, the failure is shown, a retry sends it.


def test_with_the_mail_server_down_the_action_stands_and_a_retry_sends(
    smtp_server, author, editor, second_editor, client_for, draft, commits
):
    smtp_server.stop()
    response = submit(client_for(author), draft, commits)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW
    assert ReviewStep.objects.filter(waiting=True).count() == 1
    rows = list(OutgoingMail.objects.order_by("to"))
    assert [(row.to, row.sent_at, row.attempts) for row in rows] == [
        ("eddie@hkai.test", None, 1),
        ("erin@hkai.test", None, 1),
    ]
    assert "ConnectionRefusedError" in rows[0].last_error
    eddie = client_for(editor)
    warning = texts(eddie.get(INDEX), "#unsent-mail")[0]
    assert warning == "2 notifications could not be sent. See the outbox and retry ."
    outbox = texts(eddie.get(OUTBOX + "?sent_at__isempty=1"), "#result_list tbody tr")
    assert len(outbox) == 2 and "Not sent: ConnectionRefusedError" in outbox[0]
    # The retry while the server is still down says so and keeps them.
    response = eddie.post(
        OUTBOX, {"action": "retry", "_selected_action": [row.pk for row in rows]}, follow=True
    )
    assert "could not send the rest" in texts(response, ".messagelist .error")[0]

    smtp_server.start()
    response = eddie.post(
        OUTBOX, {"action": "retry", "_selected_action": [row.pk for row in rows]}, follow=True
    )
    assert texts(response, ".messagelist .success") == ["Sent 2 emails."]
    assert sorted(m["To"] for m in smtp_server.messages) == ["eddie@hkai.test", "erin@hkai.test"]
    assert not mail.unsent().exists()
    assert texts(eddie.get(INDEX), "#unsent-mail") == []


def test_failed_mail_goes_with_the_next_editorial_action_or_the_command(
    smtp_server, author, editor, client_for, draft, commits, make_article
):
    smtp_server.stop()
    submit(client_for(author), draft, commits)
    smtp_server.start()
    with commits():
        client_for(editor).post(request_changes_url(draft), {"_review_comment": "Later."})
    assert sorted(m["Subject"].split(":")[0] for m in smtp_server.messages) == [
        "Changes requested",
        "Waiting for review",
    ]
    smtp_server.stop()
    submit(client_for(author), draft, commits)
    with pytest.raises(CommandError, match="could not be sent .*Refused"):
        call_command("send_outbox")
    smtp_server.start()
    call_command("send_outbox")
    assert len(smtp_server.messages) == 3 and not mail.unsent().exists()


def test_two_senders_never_send_one_mail_twice(smtp_server, draft):
    row = mail.queue(["eddie@hkai.test"], "Subject", "Body", draft)[0]
    OutgoingMail.objects.filter(pk=row.pk).update(claimed_at=timezone.now())  # another has it
    assert mail.send_waiting() == (0, 0)
    OutgoingMail.objects.filter(pk=row.pk).update(
        claimed_at=timezone.now() - mail.CLAIM_FOR - datetime.timedelta(seconds=1)
    )  # that one died
    assert mail.send_waiting() == (1, 0)
    assert mail.send_waiting(everything=True) == (0, 0)
    assert len(smtp_server.messages) == 1


# The admin index's list costs the same whatever waits.


def test_the_admin_index_query_count_does_not_grow_with_the_review_list(
    author, editor, client_for, make_article
):
    eddie = client_for(editor)

    def waiting(n):
        for _ in range(n):
            article = make_article(author=author, status=Article.Status.REVIEW, published_at=None)
            ReviewStep.objects.create(
                article=article, action=Action.SUBMITTED, by=author, at=timezone.now(), waiting=True
            )

    def index_queries():
        with CaptureQueriesContext(transaction.get_connection()) as queries:
            response = eddie.get(INDEX)
        assert response.status_code == 200
        return len(queries), len(texts(response, "#waiting-for-review tbody tr"))

    waiting(1)
    # Session, user, the user's groups' and own permissions, the waiting submissions
    # with their articles and submitters, the count of unsent mail, recent actions.
    assert index_queries() == (7, 1)
    waiting(19)
    assert index_queries() == (7, 20)


# Mail settings come from the environment (docs/operations.md).


def test_mail_is_printed_unless_an_smtp_server_is_named():
    from tests.test_settings import settings_in_subprocess

    fields = "(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL)"
    console = settings_in_subprocess(fields).stdout.strip()
    assert console.startswith("('django.core.mail.backends.console.EmailBackend'")
    smtp = settings_in_subprocess(
        fields,
        DJANGO_EMAIL_HOST="smtp.example.org",
        DJANGO_EMAIL_PORT="587",
        DJANGO_EMAIL_USE_TLS="1",
        DJANGO_DEFAULT_FROM_EMAIL="HKAI <news@example.org>",
    ).stdout.strip()
    assert smtp == (
        "('django.core.mail.backends.smtp.EmailBackend', 'smtp.example.org', 587, True, "
        "'HKAI <news@example.org>')"
    )
    both = settings_in_subprocess(fields, DJANGO_EMAIL_USE_TLS="1", DJANGO_EMAIL_USE_SSL="1")
    assert both.returncode != 0 and "not both" in both.stderr


@pytest.mark.django_db(transaction=True)
def test_what_was_in_review_before_migration_0018_is_waiting_after_it(author):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("articles", "0017_home_page_leads")]
    call_command("migrate", "articles", "0017", verbosity=0)
    old = MigrationExecutor(connection).loader.project_state(before).apps
    Old = old.get_model("articles", "Article")
    in_review = Old.objects.create(
        title="R", slug="r", status="review", last_edited_by_id=author.pk
    )
    live = Old.objects.create(title="L", slug="l", status="published", published_at=timezone.now())
    Old.objects.create(title="D", slug="d", status="draft")
    submitted_at = timezone.now()
    old.get_model("articles", "ArticleDraft").objects.create(
        article_id=live.pk, data={}, edited_by_id=author.pk, updated_at=submitted_at,
        submitted_at=submitted_at,
    )  # fmt: skip
    call_command("migrate", verbosity=0)
    steps = ReviewStep.objects.order_by("article_id")
    assert [(s.article_id, s.action, s.by_id, s.of_changes, s.waiting) for s in steps] == [
        (in_review.pk, Action.SUBMITTED, author.pk, False, True),
        (live.pk, Action.SUBMITTED, author.pk, True, True),
    ]
    assert_consistent()


def test_editors_may_see_the_outbox_and_retry_and_authors_may_not(author, editor, client_for):
    editors = Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    authors = Group.objects.get(name="Authors").permissions.values_list("codename", flat=True)
    assert {"view_outgoingmail", "change_outgoingmail"} <= set(editors)
    assert not {"view_outgoingmail", "change_outgoingmail"} & set(authors)
    assert client_for(author).get(OUTBOX).status_code == 403
    editor_sees = client_for(editor).get(OUTBOX, {"q": "a\x00" * 500, "sent_at__isempty": "\x00"})
    assert editor_sees.status_code in (200, 302)  # odd searches and filters: never a 500
    assert "unsent-mail" not in client_for(author).get(INDEX).content.decode()
