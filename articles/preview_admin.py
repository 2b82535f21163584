"""Preview links on the article's form: make one (shown once, to copy), list them, revoke
them. Editors for any article, Authors for their own (roles.can_share_preview); the
server checks each request, whatever the form showed."""

from django.contrib import messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import previews, revisions, roles
from .models import Article, PreviewLink


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def article_or_404(object_id):
    try:
        return Article.objects.get(pk=int(object_id))
    except (ValueError, OverflowError, Article.DoesNotExist) as error:
        raise Http404("No such article.") from error


def form_context(request, article):
    """What the article's form shows of its preview links."""
    if article is None or not roles.can_share_preview(request.user, article):
        return {}
    return {
        "preview_links": [
            {
                "link": link,
                "created": revisions.when(link.created_at),
                "expires": revisions.when(link.expires_at),
                "by": revisions.who(link.created_by) if link.created_by else "someone",
            }
            for link in previews.links_of(article)
        ],
        "preview_link_form": previews.LinkForm(),
        "preview_link_url": reverse("admin:articles_article_preview_link", args=[article.pk]),
        "preview_revoke_url": reverse("admin:articles_article_preview_revoke", args=[article.pk]),
    }


@require_POST
def create_view(request, object_id, model_admin):
    article = article_or_404(object_id)
    if not roles.can_share_preview(request.user, article):
        raise PermissionDenied("Only an Editor, or the article's author, may share its preview.")
    form = previews.LinkForm(request.POST)
    if not form.is_valid():
        errors = " ".join(form.errors["preview_days"])
        model_admin.message_user(request, f"No preview link made: {errors}", messages.ERROR)
        return HttpResponseRedirect(change_url(article))
    days = form.cleaned_data["preview_days"]
    link, token = previews.make_link(article, request.user, days)
    LogEntry.objects.log_actions(
        request.user.pk,
        [article],
        CHANGE,
        f"Made a preview link ({link.hint}…) for {days} days",
        single_object=True,
    )
    url = request.build_absolute_uri(reverse("articles:preview", args=[token]))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Preview link made",
        "opts": model_admin.opts,
        "original": article,
        "preview_url": url,
        "expires": revisions.when(link.expires_at),
        "change_url": change_url(article),
    }
    response = TemplateResponse(request, "admin/articles/article/preview_link_made.html", context)
    response["Cache-Control"] = "private, no-store"  # the address is shown only here
    return response


@require_POST
def revoke_view(request, object_id, model_admin):
    article = article_or_404(object_id)
    if not roles.can_share_preview(request.user, article):
        raise PermissionDenied("Only an Editor, or the article's author, may revoke its links.")
    try:
        link = PreviewLink.objects.get(article=article, pk=int(request.POST.get("link", "")))
    except (ValueError, OverflowError, PreviewLink.DoesNotExist) as error:
        raise Http404("No such preview link on this article.") from error
    previews.revoke(link)
    LogEntry.objects.log_actions(
        request.user.pk,
        [article],
        CHANGE,
        f"Revoked the preview link {link.hint}…",
        single_object=True,
    )
    model_admin.message_user(
        request, f"Preview link {link.hint}… revoked: it opens nothing now.", messages.SUCCESS
    )
    return HttpResponseRedirect(change_url(article))
