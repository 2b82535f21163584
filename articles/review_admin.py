"""Review in the admin (articles/review.py does the work): the review box on an
article's form, its two actions (request changes, withdraw), "Waiting for review" on
the admin index, and the outbox of notifications with its retry.

Hooked into ArticleAdmin by articles/admin.py (`urls`, `form_context`, `prepare`);
`install` adds the index's list to the admin site; admin.py registers `OutboxAdmin`."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import limits, mail, review, revisions, roles
from .models import Article, OutgoingMail, ReviewStep

COMMENT_FIELD = "_review_comment"
SUBMIT_BUTTON = "_submit_for_review"


def origin(request):
    """This site's address as the request reached it, for links in notifications."""
    return request.build_absolute_uri("/")


def prepare(request):
    """ "Submit for review" on an article's form saves it with the status In review."""
    if request.method == "POST" and SUBMIT_BUTTON in request.POST:
        request.POST = request.POST.copy()
        request.POST["status"] = Article.Status.REVIEW


def submitted(model_admin, request, article):
    """After "Submit for review": back to the form, which shows it waiting."""
    message = "Submitted for review: the Editors have been told by email."
    model_admin.message_user(request, message, messages.SUCCESS)
    return HttpResponseRedirect(request.path)


def form_context(request, article):
    """What the review box shows on `article`'s form to `request.user` (two queries)."""
    waiting = review.waiting_step(article)
    last = waiting or review.last_step(article)
    may_publish = roles.can_publish(request.user)
    return {
        "review_waiting": waiting,
        "review_last": last,
        "review_changes_requested": (
            last
            if last is not None and last.action == ReviewStep.Action.CHANGES_REQUESTED
            else None
        ),
        "review_may_decide": waiting is not None and may_publish,
        "review_may_withdraw": waiting is not None and roles.can_withdraw(request.user, article),
        "review_may_submit": (
            waiting is None
            and article.status == Article.Status.DRAFT
            and roles.can_edit(request.user, article)
        ),
        "review_comment_field": COMMENT_FIELD,
        "review_comment_max": limits.REVIEW_COMMENT_MAX_LENGTH,
        "request_changes_url": reverse("admin:articles_article_request_changes", args=[article.pk]),
        "withdraw_url": reverse("admin:articles_article_withdraw", args=[article.pk]),
    }


def urls(model_admin):
    site = model_admin.admin_site

    def action(view):
        return site.admin_view(
            require_POST(lambda request, object_id: view(model_admin, request, object_id))
        )

    return [
        path("<path:object_id>/review/request-changes/", action(request_changes_view),
             name="articles_article_request_changes"),
        path("<path:object_id>/review/withdraw/", action(withdraw_view),
             name="articles_article_withdraw"),
    ]  # fmt: skip


def _article_or_404(object_id):
    try:
        return Article.objects.get(pk=int(unquote(object_id)))
    except (ValueError, OverflowError, Article.DoesNotExist) as error:
        raise Http404("No such article.") from error


def request_changes_view(model_admin, request, object_id):
    article = _article_or_404(object_id)
    comment = request.POST.get(COMMENT_FIELD, "")
    return _act(
        model_admin,
        request,
        article,
        lambda: review.request_changes(article, request.user, comment, origin=origin(request)),
        "Changes requested: the article is back with its Author, who has been sent your comment.",
    )


def withdraw_view(model_admin, request, object_id):
    article = _article_or_404(object_id)
    return _act(
        model_admin,
        request,
        article,
        lambda: review.withdraw(article, request.user, origin=origin(request)),
        "Withdrawn from review: you can edit it again, and submit it when it is ready.",
    )


def _act(model_admin, request, article, do, done):
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    try:
        do()
    except PermissionDenied as refusal:
        return _refuse(model_admin, request, str(refusal), article)
    except review.ReviewRefused as refusal:
        model_admin.message_user(request, f"Nothing was changed. {refusal}", messages.ERROR)
        return HttpResponseRedirect(change_url)
    model_admin.message_user(request, done, messages.SUCCESS)
    return HttpResponseRedirect(change_url)


def _refuse(model_admin, request, reason, article):
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Not allowed",
        "opts": model_admin.opts,
        "original": article,
        "reason": reason,
    }
    return TemplateResponse(request, "admin/articles/article/refused.html", context, status=403)


def install(site):
    """The admin index, with the submissions waiting for review and unsent mail."""
    index = site.index

    def index_with_review(request, extra_context=None):
        return index(request, {**index_context(request), **(extra_context or {})})

    site.index = index_with_review
    site.index_template = "admin/newsroom_index.html"


def index_context(request):
    """Editors see every submission waiting; Authors their own (one query), and
    Editors how many notifications could not be sent (one more)."""
    user = request.user
    if not user.has_perm("articles.view_article"):
        return {}
    waiting = review.waiting_list()
    if not roles.can_publish(user):
        waiting = waiting.filter(article__author=user)
    context = {
        "waiting_for_review": list(waiting),
        "waiting_caption": "Waiting for review"
        if roles.can_publish(user)
        else "Your articles waiting for review",
    }
    if user.has_perm("articles.view_outgoingmail"):
        context["unsent_mail"] = mail.failed().count()
    return context


class OutboxAdmin(admin.ModelAdmin):
    """The outbox: every notification, whether it went, and the error when it did not.
    Registered by articles/admin.py, with the checks every searchable list has."""

    list_display = ["subject", "to", "created_at", "state", "attempts"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["to", "subject"]
    readonly_fields = [
        *["to", "subject", "body", "article", "created_at", "sent_at", "attempts"],
        "last_error",
    ]
    fields = readonly_fields
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # nothing to edit; retrying is an action of its own

    def has_retry_permission(self, request):
        return request.user.has_perm("articles.change_outgoingmail")

    @admin.display(description="State")
    def state(self, row):
        if row.sent_at is not None:
            return f"Sent {revisions.when(row.sent_at)}"
        if row.attempts:
            return f"Not sent: {row.last_error}"
        return "Waiting to be sent"

    @admin.action(description="Retry sending the selected emails", permissions=["retry"])
    def retry(self, request, queryset):
        ids = list(queryset.filter(sent_at__isnull=True).values_list("pk", flat=True))
        sent, failed = mail.send_waiting(ids=ids)
        if failed:
            error = OutgoingMail.objects.filter(pk__in=ids, sent_at__isnull=True)
            error = error.exclude(last_error="").values_list("last_error", flat=True).first()
            self.message_user(
                request,
                f"Sent {sent}; could not send the rest: {error}. They stay in the outbox.",
                messages.ERROR,
            )
        else:
            text = ngettext("Sent %d email.", "Sent %d emails.", sent) % sent
            self.message_user(request, text, messages.SUCCESS)
