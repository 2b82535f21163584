"""Review: an Author submits an article, or the draft changes of a live one; every Editor
is told by email and sees it waiting on the admin index; an Editor publishes it (the
form's own publishing, now or at a time) or requests changes with a comment, which the
Author sees on the form and receives by email; the Author may withdraw it to keep
editing. Each step is a models.ReviewStep with its comment, shown in History.

What says "in review" is the article's own state: status In review, or submitted draft
changes (ArticleDraft.submitted_at). A review step waits exactly while that holds: the
functions here change both in one transaction, and `settle()` brings the steps in line
after any other write of the admin (a save, "Publish changes", a bulk action, a
restore). The database keeps at most one waiting submission per article.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from reversion import add_to_revision, create_revision, set_comment, set_user

from . import limits, mail, roles
from .models import Article, ArticleDraft, ReviewStep

Action = ReviewStep.Action


class ReviewRefused(Exception):
    """A review action that does not apply (nothing waiting, already waiting, a bad
    comment): nothing was changed, and the message says why."""


def waiting_step(article):
    return ReviewStep.objects.filter(article=article, waiting=True).select_related("by").first()


def waiting_list():
    """Every waiting submission, oldest first, with its article and who submitted it:
    one query, however many wait."""
    return (
        ReviewStep.objects.filter(waiting=True).select_related("article", "by").order_by("at", "pk")
    )


def steps_of(article):
    return ReviewStep.objects.filter(article=article).select_related("by").order_by("-at", "-pk")


def last_step(article):
    return steps_of(article).first()


def _wanted(article):
    """What the article's state says is waiting: "article", "changes" or None."""
    if article.status == Article.Status.REVIEW:
        return "article"
    if article.status == Article.Status.PUBLISHED:
        submitted = ArticleDraft.objects.filter(article=article, submitted_at__isnull=False)
        if submitted.exists():
            return "changes"
    return None


@transaction.atomic
def settle(article, user, *, origin, changes_published=False):
    """After a write to `article` (or its draft changes) by `user`, in its transaction:
    end the waiting submission that the article's state no longer says is in review
    (approved when it was published, and its Author told; else returned or withdrawn),
    and record one that it says is (the Editors told). `changes_published`: this write
    put the article's draft changes live."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    wanted = _wanted(article)
    step = waiting_step(article)
    if step is not None and wanted != ("changes" if step.of_changes else "article"):
        if step.of_changes:
            approved = changes_published and article.status == Article.Status.PUBLISHED
        else:
            approved = article.status == Article.Status.PUBLISHED
        if approved:
            _end(article, step, Action.APPROVED, user, "")
            _tell_of_approval(article, step, user, origin)
        else:
            action = Action.RETURNED if roles.can_publish(user) else Action.WITHDRAWN
            if step.of_changes:  # e.g. unpublished with them kept: no longer submitted
                ArticleDraft.objects.filter(article=article).update(submitted_at=None)
            _end(article, step, action, user, "")
        step = None
    if step is None and wanted is not None:
        step = _add(article, Action.SUBMITTED, user, of_changes=wanted == "changes", waiting=True)
        _tell_editors(article, step, origin)
    return step


@transaction.atomic
def withdraw(article, user, *, origin):
    """The Author takes the submission back to keep editing."""
    article = _locked(article)
    if not roles.can_withdraw(user, article):
        raise PermissionDenied(
            "Only the article’s author may withdraw it; an Editor requests changes instead."
        )
    step = waiting_step(article)
    if step is None:
        raise ReviewRefused("This article is not waiting for review: there is nothing to withdraw.")
    _back_to_editing(article, step, user, "Withdrawn from review")
    _end(article, step, Action.WITHDRAWN, user, "")
    return step


@transaction.atomic
def request_changes(article, user, comment, *, origin):
    """An Editor sends the submission back with a comment: the article returns to its
    Author (a draft, or draft changes no longer submitted), who is told by email."""
    if not roles.can_publish(user):
        raise PermissionDenied("Only an Editor may request changes.")
    comment = _checked_comment(comment, required=True)
    article = _locked(article)
    step = waiting_step(article)
    if step is None:
        raise ReviewRefused("This article is not waiting for review: withdrawn or already decided.")
    _back_to_editing(article, step, user, "Changes requested")
    ended = _end(article, step, Action.CHANGES_REQUESTED, user, comment)
    recipients = _submitters(article, step, user)
    subject = f"Changes requested: {article.title}"
    body = (
        f"{_name(user)} asked for changes to “{article.title}” before it is published:\n\n"
        f"{comment}\n\n"
        f"Make them and submit it for review again: {_link(article, origin)}\n"
    )
    mail.queue(recipients, subject, body, article)
    return ended


def _locked(article):
    try:
        return Article.objects.select_for_update().get(pk=article.pk)
    except Article.DoesNotExist:
        raise ReviewRefused("This article has been deleted.") from None


def _checked_comment(comment, *, required):
    comment = (comment or "").replace("\x00", "").strip()
    try:
        limits.check_review_comment(comment)
    except ValidationError as error:
        raise ReviewRefused(error.messages[0]) from None
    if required and not comment:
        raise ReviewRefused("Say what should change: the comment is what the Author reads.")
    return comment


def _back_to_editing(article, step, user, words):
    """The article leaves review: a draft again, or its draft changes unsubmitted."""
    if step.of_changes:
        ArticleDraft.objects.filter(article=article).update(submitted_at=None)
        return
    if article.status != Article.Status.REVIEW:
        return
    article.status, article.last_edited_by = Article.Status.DRAFT, user
    with create_revision():
        set_user(user)
        set_comment(f"{words}: returned to draft")
        article.save(update_fields=["status", "last_edited_by", "updated_at"])
        add_to_revision(article)


def _add(article, action, user, *, of_changes=False, waiting=False, comment=""):
    try:
        with transaction.atomic():
            return ReviewStep.objects.create(
                article_id=article.pk,
                action=action,
                by=user,
                at=timezone.now(),
                comment=comment,
                of_changes=of_changes,
                waiting=waiting,
            )
    except IntegrityError:
        raise ReviewRefused("This article is already waiting for review.") from None


def _end(article, step, action, user, comment):
    ReviewStep.objects.filter(pk=step.pk).update(waiting=False)
    return _add(article, action, user, of_changes=step.of_changes, comment=comment)


def _tell_editors(article, step, origin):
    what = "draft changes to the live article" if step.of_changes else "the article"
    subject = f"Waiting for review: {article.title}"
    body = (
        f"{_name(step.by)} submitted {what} “{article.title}” for review at "
        f"{_when(step.at)}.\n\nReview it: {_link(article, origin)}\n"
    )
    exclude = step.by_id
    addresses = roles.editors().exclude(pk=exclude).values_list("email", flat=True)
    mail.queue(list(addresses), subject, body, article)


def _tell_of_approval(article, step, user, origin):
    if article.published_at and article.published_at > timezone.now():
        outcome = f"approved it: it appears on the site at {_when(article.published_at)}"
    else:
        outcome = "published it: readers see it now"
    what = "your changes to the article" if step.of_changes else "the article"
    body = (
        f"You submitted {what} “{article.title}” for review; {_name(user)} {outcome}.\n\n"
        f"{_link(article, origin)}\n"
    )
    mail.queue(_submitters(article, step, user), f"Approved: {article.title}", body, article)


def _submitters(article, step, actor):
    """Who hears of a decision: who submitted and the article's author, not the actor."""
    people = [person for person in (step.by, article.author) if person is not None]
    return [person.email for person in people if person.pk != actor.pk and person.is_active]


def _link(article, origin):
    return origin.rstrip("/") + reverse("admin:articles_article_change", args=[article.pk])


def _name(user):
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "j M Y H:i")
