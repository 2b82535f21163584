import datetime
import re
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import EmptyResultSet, FullResultSet, PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import escape, format_html
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST
from reversion import add_to_revision, create_revision, set_comment, set_user
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.utils import mute_signals
from taggit.models import Tag

from . import (  # noqa: F401
    byline_admin,
    bylines,
    checks,
    drafts,
    image_admin,
    images,
    lead_admin,
    limits,
    preview_admin,
    review,
    review_admin,
    revisions,
    roles,
    search_admin,
    translation_admin,
)
from .expiry_admin import ExpiryFilter
from .forms import (
    ArticleForm,
    SectionForm,
    SectionFormSet,
    StaffUserChangeForm,
    TagMergeForm,
    save_sections,
)
from .markdown import render_markdown
from .models import Article, ArticleDraft, OutgoingMail, Person, Section, TopicProfile
from .topics import merge_tags

TAG_SUGGESTIONS = 10
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SEARCH_MAX_LENGTH = 200
SEARCH_MAX_WORDS = 10


NO_HISTORY = "You may not view articles, so you may not see their History either."
SIGNALS = (pre_save, post_save, pre_delete, post_delete, m2m_changed)


class RollBack(Exception):
    """Leaves a transaction without keeping its writes, carrying the page to show."""

    def __init__(self, response):
        self.response = response


@dataclass
class Restoring:
    """A restore in progress: the version, the live article (None when recovering a
    deleted one), the article as the version would make it, and the version's content."""

    version: object
    current: Article | None
    instance: Article
    state: revisions.State


def judged(request, obj):
    """The article that permissions are judged on: while a version is being restored,
    the live article (the restored state is judged by roles.restore_refusal)."""
    restoring = getattr(request, "restoring", None)
    if restoring is not None and obj is restoring.instance and restoring.current is not None:
        return restoring.current
    return obj


def bound_to(form_class, data):
    """`form_class`, bound to `data` when the admin makes it without data (a GET):
    the change form then shows stored content (draft changes, an autosave) as typed."""

    class Bound(form_class):
        def __init__(self, *args, **kwargs):
            if not args and "data" not in kwargs:
                kwargs["data"] = data
            super().__init__(*args, **kwargs)

    Bound.__name__ = form_class.__name__
    return Bound


class ChosenByNumber(AutocompleteSelect):
    """The admin's autocomplete, showing the chosen row only for a number a database
    column can hold: a form shown again with a forged or stored value ("junk", twenty
    digits) shows nothing chosen, and its field's error, instead of failing the page."""

    def optgroups(self, name, value, attrs=None):
        def fits(choice):
            try:
                return abs(int(choice)) < 2**63
            except (TypeError, ValueError):
                return False

        return super().optgroups(name, [choice for choice in value if fits(choice)], attrs)


class SectionInline(admin.StackedInline):
    model = Section
    form = SectionForm
    formset = SectionFormSet
    ordering = ["position"]

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0  # a new article starts with one section

    # Sections are part of the article: whoever may edit (or draft changes to) the
    # article edits them.
    def has_add_permission(self, request, obj=None):
        return roles.can_draft(request.user, judged(request, obj))

    def has_change_permission(self, request, obj=None):
        return roles.can_draft(request.user, judged(request, obj))

    def has_delete_permission(self, request, obj=None):
        return roles.can_draft(request.user, judged(request, obj))

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("articles.view_article")


class CheckedChangeList(ChangeList):
    """A changelist that answers any filter it cannot apply with the admin's own
    "?e=1" (the list unfiltered), never a 500.

    Django refuses most bad filters itself; these it would not: a date drill-down
    (?published_at__year=…&__month=…&__day=…) outside the publication range, where
    it fails working out the end of year 9999, lookups whose values only fail once
    turned into SQL (?date_joined__year=1 overflows converting to UTC), and values
    with a NUL character, which PostgreSQL refuses (?status__exact=%00).
    """

    def get_filters(self, request):
        for name, values in request.GET.lists():
            if name != SEARCH_VAR and any("\x00" in value for value in values):
                raise IncorrectLookupParameters("PostgreSQL text cannot hold NUL")
        if self.date_hierarchy:
            parts = [
                request.GET.getlist(f"{self.date_hierarchy}__{part}")
                for part in ("year", "month", "day")
            ]
            if parts[0]:
                try:
                    numbers = [int(values[-1]) if values else 1 for values in parts]
                    day = datetime.date(*numbers)
                except (ValueError, OverflowError) as error:
                    raise IncorrectLookupParameters(error) from error
                if not limits.date_in_range(day):
                    raise IncorrectLookupParameters(f"{day} is outside the publication range")
        return super().get_filters(request)

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        try:
            queryset.query.get_compiler(queryset.db).as_sql()  # no query is sent
        except (EmptyResultSet, FullResultSet):
            pass
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error
        return queryset


def bounded_search_term(term):
    """The admin's search box, cut to what a person types: SQLite refuses a LIKE
    pattern over 50,000 bytes or a thousand-deep condition (a few hundred words),
    and PostgreSQL any NUL character."""
    words = CONTROL.sub(" ", term[:SEARCH_MAX_LENGTH]).split()
    return " ".join(words[:SEARCH_MAX_WORDS])


class CheckedChangeListMixin:
    """For every ModelAdmin editors search or filter: bad input is never a 500."""

    def get_changelist(self, request, **kwargs):
        return CheckedChangeList

    def get_search_results(self, request, queryset, search_term):
        term = bounded_search_term(search_term)
        return super().get_search_results(request, queryset, term)


class EditorArticleForm(bylines.BylinesFormMixin, ArticleForm):
    """An Editor's article form: with the bylines."""


@admin.register(Article)
class ArticleAdmin(CheckedChangeListMixin, VersionAdmin):
    form = ArticleForm
    list_display = ["headline", "state", "published", "tag_list", "section_count", "author"]
    list_filter = ["status", ExpiryFilter, "tags"]
    list_select_related = ["author"]
    search_fields = ["title", "standfirst", "sections__heading", "sections__body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    # lead_image: choose, or upload with +; translation_of: the original, by title.
    autocomplete_fields = ["author", "lead_image", "translation_of"]
    actions = ["publish", "unpublish"]
    inlines = [SectionInline]
    history_latest_first = True
    object_history_template = "admin/articles/article/object_history.html"
    change_list_template = "admin/articles/article/change_list.html"

    class Media:
        css = {"all": ["css/admin-editor.css"]}
        js = ["js/admin-editor.js", "js/admin-editing.js"]

    def get_fieldsets(self, request, obj=None):
        text = (
            None,
            {
                "fields": [
                    *["title", "slug", "standfirst", "language"],
                    *["lead_image", "tags", "opened_token"],
                ]
            },
        )
        # Its original or translations, each flagged when behind (articles/translations.py).
        versions = ("Translations", {"fields": ["translation_of", "linked_versions"]})
        if roles.can_publish(request.user):
            publication = ["status", "published_at", "expires_at", "author", "bylines"]
            return [text, ("Publication", {"fields": publication}), versions]
        return [text, ("Publication", {"fields": ["status"]}), versions]

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "linked_versions"]
        live = obj is not None and obj.status == Article.Status.PUBLISHED
        if live and not roles.can_publish(request.user):
            fields.append("status")  # an Author's changes to a live article are drafts
        return fields

    @admin.display(description="Linked versions")
    def linked_versions(self, obj):
        return translation_admin.linked_versions(obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if roles.can_publish(request.user):  # Editors choose the byline
            kwargs.setdefault("form", EditorArticleForm)
        form = super().get_form(request, obj, change, **kwargs)
        found = getattr(request, "publish_warnings", None)
        if found and request.method == "POST":
            form = type(form.__name__, (form,), {"publish_warnings": found})
        if getattr(request, "restoring", None) is not None:
            form = type(form.__name__, (form,), {"matches_draft": False})
        shown = getattr(request, "shown_data", None)
        return form if shown is None or request.method != "GET" else bound_to(form, shown)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        shown = getattr(request, "shown_data", None)
        if shown is not None and request.method == "GET":
            kwargs["data"] = shown
        return kwargs

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not roles.can_publish(request.user):
            kwargs["choices"] = [
                (value, label)
                for value, label in Article.Status.choices
                if value != Article.Status.PUBLISHED
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            using = kwargs.get("using")
            kwargs["widget"] = ChosenByNumber(db_field, self.admin_site, using=using)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "tags":
            field.widget.attrs.update(
                {
                    "data-suggest-url": reverse("admin:articles_article_tag_suggestions"),
                    "autocomplete": "off",
                    "class": "vTextField tag-input",
                }
            )
            field.help_text = "Comma-separated. Suggestions come from the topics already in use."
        elif db_field.name == "author" and field is not None:
            field.label = "Owner"
            field.help_text = (
                "The account that owns the article (as an Author, it may edit its drafts). "
                "Readers see the bylines, never this."
            )
        elif db_field.name == "slug":
            # The admin shows help text as HTML: "<slug>" would vanish as a tag.
            field.help_text = escape(field.help_text)
        elif db_field.name == "published_at" and field is not None:
            offset = timezone.localtime().strftime("%z")
            field.help_text = (
                f"{field.help_text} Times are {settings.TIME_ZONE} time "
                f"(UTC{offset[:3]}:{offset[3:]}), to the second."
            )
            # The admin writes "Date:" and "Time:" beside the two inputs as bare text.
            date, time = field.widget.widgets
            date.attrs["aria-label"] = "Publication date"
            time.attrs["aria-label"] = "Publication time"
        elif db_field.name == "expires_at" and field is not None:
            field.help_text = f"{field.help_text} Times are {settings.TIME_ZONE} time."
            date, time = field.widget.widgets
            date.attrs["aria-label"] = "Live until date"
            time.attrs["aria-label"] = "Live until time"
        return field

    def get_queryset(self, request):
        qs = super().get_queryset(request).prefetch_related("tags")
        drafts_of = ArticleDraft.objects.filter(article=OuterRef("pk"))
        return qs.annotate(
            section_count=Count("sections", distinct=True),
            has_draft=Exists(drafts_of),
            draft_in_review=Exists(drafts_of.filter(submitted_at__isnull=False)),
        )

    # Who may do what (the server checks; the admin also hides what a role cannot do).

    def has_change_permission(self, request, obj=None):
        obj = judged(request, obj)
        return super().has_change_permission(request, obj) and roles.can_draft(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        obj = judged(request, obj)
        return super().has_delete_permission(request, obj) and roles.can_edit(request.user, obj)

    def has_publish_permission(self, request):
        return roles.can_publish(request.user)

    # Columns.

    @admin.display(description="Title", ordering="title")
    def headline(self, article):
        """Cut to two lines by the stylesheet; the whole title on hover."""
        return format_html('<span title="{}">{}</span>', article.title, article.title)

    @admin.display(description="State", ordering="status")
    def state(self, article):
        if article.is_expired:
            return f"Expired {revisions.when(article.expires_at)}"
        until = f" · live until {revisions.when(article.expires_at)}" if article.expires_at else ""
        if article.is_scheduled:
            return f"Scheduled for {revisions.when(article.published_at)}{until}"
        if until and article.status == Article.Status.PUBLISHED:
            return f"{article.get_status_display()}{until}"
        if getattr(article, "draft_in_review", False):
            return f"{article.get_status_display()} · changes in review"
        if getattr(article, "has_draft", False):
            return f"{article.get_status_display()} · draft changes"
        return article.get_status_display()

    @admin.display(description="Published at", ordering="published_at")
    def published(self, article):
        return revisions.when(article.published_at) if article.published_at else "–"

    @admin.display(description="Tags")
    def tag_list(self, article):
        return ", ".join(tag.name for tag in article.tags.all())

    @admin.display(description="Sections", ordering="section_count")
    def section_count(self, article):
        return article.section_count

    # Saving.

    def save_model(self, request, obj, form, change):
        if getattr(request, "drafting", False):
            waiting = review.waiting_step(obj) is not None  # a plain save keeps it waiting
            submitted = "_submit_changes" in request.POST or waiting
            data = drafts.drafted(request.POST, form)
            request.article_draft = drafts.save_draft(obj, data, request.user, submitted=submitted)
            return  # the article itself, and so everything readers see, stays as it is
        if not change and obj.author_id is None:
            obj.author = request.user
        obj.last_edited_by = request.user
        super().save_model(request, obj, form, change)

    def delete_view(self, request, object_id, extra_context=None):
        article = self._article_or_none(object_id)
        if article is not None and not self.has_delete_permission(request, article):
            return self._refuse(request, roles.delete_refusal(request.user, article), article)
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        self._keep_before_deleting(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._keep_before_deleting(request, queryset)
        super().delete_queryset(request, queryset)

    @staticmethod
    def _keep_before_deleting(request, articles):
        """One version per article as it stands, so that "Recover" brings back what was
        deleted: also an article never saved here (the seed, a command, the API) or
        changed since its last version by a bulk update."""
        for article in articles:
            with create_revision():
                set_user(request.user)
                set_comment("Deleted")
                add_to_revision(article)

    def save_related(self, request, form, formsets, change):
        # What was typed is saved now (as the article or its draft): no autosave to offer.
        drafts.forget_autosave(request.user, form.instance.pk if change else None)
        origin = review_admin.origin(request)
        if getattr(request, "drafting", False):
            review.settle(form.instance, request.user, origin=origin)
            return
        super().save_related(request, form, formsets, change)
        if not change and "bylines" not in form.fields and form.instance.author is not None:
            # An Author's new article: signed with their profile (made the first time).
            bylines.set_bylines(form.instance, [bylines.person_for(form.instance.author)])
        # The form showed the draft changes (if any): saving it put them live.
        put_live, _ = ArticleDraft.objects.filter(article=form.instance).delete()
        review.settle(form.instance, request.user, origin=origin, changes_published=put_live > 0)

    def save_formset(self, request, form, formset, change):
        if formset.model is Section:
            save_sections(formset)
        else:
            super().save_formset(request, form, formset, change)

    # History: every restore and recovery is an edit through this form, judged by the
    # same rules (articles/roles.py) and the same conflict check (forms.ArticleForm).

    def get_object(self, request, object_id, from_field=None):
        restoring = getattr(request, "restoring", None)
        if restoring is not None:
            return restoring.instance
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "POST":
            request.article_before = revisions.snapshot(revisions.live_state(obj))
        return obj

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Django acts on "_saveasnew" even where save_as is off: a forged one would
        # turn a restore into a new article and keep the version's sections and tags
        # on the live one, past the conflict check and with no history.
        review_admin.prepare(request)
        if request.method == "POST" and "_saveasnew" in request.POST and not self.save_as:
            article = getattr(request, "restoring", None)
            article = article.current if article is not None else None
            return self._refuse(
                request, "“Save as new” is not offered: save the article itself.", article
            )
        if object_id is not None and getattr(request, "restoring", None) is None:
            article = self._article_or_none(object_id)
            if article is not None:
                refusal = self._prepare_drafts(request, article)
                if refusal is not None:
                    return refusal
                extra_context = {**self._draft_context(request, article), **(extra_context or {})}
        elif object_id is None and request.method == "POST":
            self._check_before_publishing(request, None)
            extra_context = {"publish_warnings": request.publish_warnings, **(extra_context or {})}
        elif object_id is None and request.method == "GET":
            if request.GET.get("restore") == "autosave":
                saved = drafts.autosave_of(request.user, None)
                if saved is not None:
                    request.shown_data = drafts.as_querydict(saved.data)
            extra_context = {**self._autosave_context(request, None), **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context)

    # Draft changes to live articles (articles/drafts.py): saving a published article
    # stores the form as its draft, readers keep the live version, and the form shows
    # the draft until an Editor publishes ("Publish changes") or discards it.

    def _prepare_drafts(self, request, article):
        """Decide what this request shows (GET) or where it saves (POST)."""
        draft = ArticleDraft.objects.filter(article=article).select_related("edited_by").first()
        request.article_draft = draft
        may_publish = roles.can_publish(request.user)
        if request.method == "POST":
            publishing = "_publish_changes" in request.POST
            if publishing and article.is_published and not may_publish:
                return self._refuse(
                    request,
                    "Only an Editor may publish changes to a live article. Save them as "
                    "draft changes and submit them for review instead.",
                    article,
                )
            still_live = request.POST.get("status", Article.Status.PUBLISHED) == (
                Article.Status.PUBLISHED
            )
            request.drafting = (
                article.is_published and not publishing and (still_live or not may_publish)
            )
            self._check_before_publishing(request, article)
            return None
        saved = None
        if request.GET.get("restore") == "autosave":
            saved = drafts.autosave_of(request.user, article.pk)
        if saved is not None:
            request.shown_data = drafts.as_querydict(saved.data)
        elif draft is not None:
            data = drafts.with_publication(draft.data, article)
            request.shown_data = drafts.as_querydict(data, opened_token=draft.token)
        if getattr(request, "shown_data", None) is not None:
            shown = drafts.preview_article(request.shown_data, article)
            sections = list(shown.sections.all())
        else:
            shown, sections = article, list(article.sections.all())
        request.publish_warnings = checks.warnings(shown, sections, [request.get_host()])
        return None

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and getattr(request, "restoring", None) is None:
            context.update(preview_admin.form_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        person = Person.objects.filter(user=request.user).first()
        if person is not None and roles.can_publish(request.user):
            initial.setdefault("bylines", person.slug)  # an Editor's new article: theirs
        return initial

    def _check_before_publishing(self, request, article):
        """On a POST that publishes (a new or unpublished article saved as Published, or
        "Publish changes"), what checks.warnings finds in the submitted content."""
        request.publish_warnings = []
        if not roles.can_publish(request.user) or request.POST.get("publish_anyway"):
            return
        live = article is not None and article.is_published
        publishing = (
            "_publish_changes" in request.POST
            if live
            else request.POST.get("status") == Article.Status.PUBLISHED
        )
        if publishing:
            shown = drafts.preview_article(drafts.form_data(request.POST), article)
            found = checks.warnings(shown, list(shown.sections.all()), [request.get_host()])
            request.publish_warnings = found

    def _draft_context(self, request, article):
        draft = getattr(request, "article_draft", None)
        return {
            "publish_warnings": getattr(request, "publish_warnings", []),
            "article_draft": draft,
            "live_article": article.is_published,
            "may_publish": roles.can_publish(request.user),
            "may_edit": roles.can_draft(request.user, article),
            "edit_refusal": roles.edit_refusal(request.user, article),
            "draft_when": revisions.when(draft.updated_at) if draft else None,
            "live_since": revisions.when(article.published_at) if article.published_at else None,
            "live_until": revisions.when(article.expires_at) if article.expires_at else None,
            "expired": article.is_expired,
            "draft_by": revisions.who(draft.edited_by) if draft else None,
            "discard_url": reverse("admin:articles_article_discard_draft", args=[article.pk]),
            **self._autosave_context(request, article),
            **review_admin.form_context(request, article),
        }

    def _autosave_context(self, request, article):
        pk = article.pk if article else None
        saved = drafts.autosave_of(request.user, pk)
        restoring = request.GET.get("restore") == "autosave"
        return {
            "autosave_url": reverse("admin:articles_article_autosave", args=[pk or "new"]),
            "preview_url": reverse("admin:articles_article_preview", args=[pk or "new"]),
            "autosaved": None if saved is None or restoring else saved,
            "autosaved_when": revisions.when(saved.saved_at) if saved else None,
            "restored_autosave": restoring and saved is not None,
        }

    @staticmethod
    def _article_or_none(object_id):
        try:
            return Article.objects.select_related("author").get(pk=int(unquote(object_id)))
        except (ValueError, Article.DoesNotExist):
            return None

    def discard_draft_view(self, request, object_id):
        return require_POST(self._discard_draft)(request, object_id)

    def _discard_draft(self, request, object_id):
        article = self._article_or_404(object_id)
        if not roles.can_draft(request.user, article):
            return self._refuse(request, roles.edit_refusal(request.user, article), article)
        draft = ArticleDraft.objects.filter(article=article).first()
        if draft is not None and not roles.can_publish(request.user):
            if draft.edited_by_id != request.user.pk:
                return self._refuse(
                    request, "Only an Editor may discard someone else’s draft changes.", article
                )
        if draft is not None:
            if request.POST.get("opened_token") != str(draft.token):
                self.message_user(
                    request,
                    "The draft changes were saved again after you opened them; they were "
                    "not discarded. Look at them and discard again if you still want to.",
                    messages.WARNING,
                )
                return HttpResponseRedirect(self._change_url(article))
            with transaction.atomic():
                draft.delete()
                review.settle(article, request.user, origin=review_admin.origin(request))
            drafts.forget_autosave(request.user, article.pk)
            LogEntry.objects.log_actions(
                request.user.pk, [article], CHANGE, "Discarded draft changes", single_object=True
            )
            message = "Draft changes discarded: the form shows the live article."
            self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(article))

    @staticmethod
    def _change_url(article):
        return reverse("admin:articles_article_change", args=[article.pk])

    # Autosave and preview: what the editor typed, kept per user and article, never in
    # the article; the preview renders it with the site's own article template.

    def _article_for(self, request, object_id):
        """(article or None for "new", refusal response or None)."""
        if object_id == "new":
            if not self.has_add_permission(request):
                raise PermissionDenied
            return None
        article = self._article_or_404(object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def autosave_view(self, request, object_id):
        return require_POST(self._autosave)(request, object_id)

    def _autosave(self, request, object_id):
        article = self._article_for(request, object_id)
        if article is not None and not roles.can_draft(request.user, article):
            raise PermissionDenied
        if request.POST.get("discard"):
            drafts.forget_autosave(request.user, article.pk if article else None)
            return JsonResponse({"discarded": True})
        saved = drafts.autosave(
            request.user, article.pk if article else None, drafts.form_data(request.POST)
        )
        return JsonResponse({"saved_at": revisions.when(saved.saved_at)})

    def preview_view(self, request, object_id):
        return require_GET(self._preview)(request, object_id)

    def _preview(self, request, object_id):
        article = self._article_for(request, object_id)
        saved = drafts.autosave_of(request.user, article.pk if article else None)
        draft = article and ArticleDraft.objects.filter(article=article).first()
        if saved is not None and request.GET.get("typed"):
            shown = drafts.preview_article(saved.data, article, author=request.user)
        elif draft is not None:
            shown = drafts.preview_article(draft.data, article, author=request.user)
        elif article is not None:
            loaded = Article.objects.prefetch_related("sections", "tags", bylines.prefetch())
            shown = loaded.get(pk=article.pk)
        else:
            shown = drafts.preview_article({}, None, author=request.user)
        images.expand_sections(shown.sections.all(), show_missing=True)  # as the page does
        context = {
            "article": shown,
            "is_preview": True,
            "preview_of_changes": draft is not None or saved is not None,
            "related_articles": [],
            "json_ld": "",
            "previous_article": None,
            "next_article": None,
        }
        response = TemplateResponse(request, "articles/article_detail.html", context)
        add_never_cache_headers(response)
        return response

    def construct_change_message(self, request, form, formsets, add=False):
        restoring = getattr(request, "restoring", None)
        if restoring is not None:
            current, restored = restoring.current, form.instance
            publication = ["status", "published_at"]
            before = current and {name: getattr(current, name) for name in publication}
            after = {name: getattr(restored, name) for name in publication}
            return revisions.restored_words(restoring.version, before, after)
        if getattr(request, "drafting", False):
            if "_submit_changes" in request.POST:
                return "Draft changes submitted for review (not live)"
            return "Draft changes saved (not live)"
        after = revisions.snapshot(revisions.live_state(form.instance))
        words = revisions.describe(None if add else getattr(request, "article_before", None), after)
        if getattr(request, "article_draft", None) is not None:
            words = f"Published draft changes. {words}"
        if getattr(form, "bylines_changed", False):
            words = ". ".join(filter(None, [words, f"Bylines: {form.instance.byline}"]))
        return words

    def response_change(self, request, obj):
        if review_admin.SUBMIT_BUTTON in request.POST:
            return review_admin.submitted(self, request, obj)
        if "_publish_changes" in request.POST and obj.is_published:
            self.message_user(request, "Changes published: readers see them now.", messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        if not getattr(request, "drafting", False):
            return super().response_change(request, obj)
        if "_submit_changes" in request.POST:
            message = (
                "Draft changes submitted for review. Readers still see the live version "
                "until an Editor publishes the changes."
            )
        else:
            message = (
                "Draft changes saved. Readers still see the live version until an Editor "
                "chooses “Publish changes”."
            )
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(request.path)

    def changelist_view(self, request, extra_context=None):
        # Not inside VersionAdmin's revision: each bulk action records one per article.
        context = {"can_recover": roles.can_recover(request.user), **(extra_context or {})}
        return admin.ModelAdmin.changelist_view(self, request, context)

    def history_view(self, request, object_id, extra_context=None):
        article = self._article_or_404(object_id)
        if not self.has_view_or_change_permission(request, article):
            return self._refuse(request, NO_HISTORY)
        versions = list(revisions.versions_of(article.pk))
        context = {
            "versions": versions,
            "review_steps": list(review.steps_of(article)),
            "compare_url": reverse("admin:articles_article_compare", args=[article.pk]),
            "compare_from": versions[1].pk if len(versions) > 1 else None,
            "compare_to": versions[0].pk if versions else None,
            **(extra_context or {}),
        }
        return admin.ModelAdmin.history_view(self, request, object_id, context)

    def compare_view(self, request, object_id):
        article = self._article_or_404(object_id)
        if not self.has_view_or_change_permission(request, article):
            return self._refuse(request, NO_HISTORY)
        old = revisions.find_version(article.pk, request.GET.get("from"))
        new = revisions.find_version(article.pk, request.GET.get("to"))
        if old is None or new is None:
            raise Http404("No such version of this article.")
        if (old.revision.date_created, old.pk) > (new.revision.date_created, new.pk):
            old, new = new, old
        try:
            rows = revisions.comparison(revisions.version_state(old), revisions.version_state(new))
        except RevertError as error:
            return self._refuse(request, str(error), article, status=409)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Compare versions: {article}",
            "opts": self.opts,
            "original": article,
            "old": old,
            "new": new,
            "rows": rows,
            "when": revisions.when,
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        article = self._article_or_404(object_id)
        version = revisions.find_version(article.pk, version_id)
        if version is None:
            raise Http404("No such version of this article.")
        try:
            state = revisions.version_state(version)
        except RevertError as error:
            return self._refuse(request, str(error), article, status=409)
        may_publish = roles.can_publish(request.user)
        restored = revisions.restored_article(
            article, state.article, with_publication=may_publish, unstored=state.unstored
        )
        reason = roles.restore_refusal(request.user, article, restored)
        if reason:
            return self._refuse(request, reason, article)
        context = {
            "title": f"Restore the version of {revisions.when(version.revision.date_created)}",
            "revert": True,
            "restoring_version": version,
            "live_article": article,
            **(extra_context or {}),
        }
        return self._restore(request, Restoring(version, article, restored, state), context)

    def recoverlist_view(self, request, extra_context=None):
        if not roles.can_recover(request.user):
            return self._refuse(request, "Only editors may recover deleted articles.")
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not roles.can_recover(request.user):
            return self._refuse(request, "Only editors may recover deleted articles.")
        version = revisions.find_deleted_version(version_id)
        if version is None:
            raise Http404("No deleted article has this version.")
        try:
            state = revisions.version_state(version)
        except RevertError as error:
            return self._refuse(request, str(error), status=409)
        state.article._state.adding, state.article._state.db = False, version.db
        context = {
            "title": f"Recover {version.object_repr}",
            "recover": True,
            "restoring_version": version,
            **(extra_context or {}),
        }
        return self._restore(request, Restoring(version, None, state.article, state), context)

    def _restore(self, request, restoring, context):
        """Show (GET) or save (POST) the change form over the version's content.

        The version's sections and tags are written inside a transaction so that the
        form can show and save them; the article's own row changes only when the form
        saves, after its permission, validation and conflict checks. Anything but a
        successful save is rolled back: a GET writes nothing that lasts."""
        template = self._reversion_get_template_list(
            "recover_form.html" if restoring.current is None else "revision_form.html"
        )
        quiet = request.method == "GET"
        try:
            with transaction.atomic(), mute_signals(*SIGNALS) if quiet else nullcontext():
                if restoring.current is None:
                    revisions.insert_for_recovery(restoring.state.article)
                revisions.put_back_sections_and_tags(restoring.instance.pk, restoring.state)
                request.restoring = restoring
                with self.create_revision(request):
                    response = self.changeform_view(
                        request, str(restoring.instance.pk), request.path, context
                    )
                if request.method == "POST" and response.status_code == 302:
                    return response
                if hasattr(response, "render") and response.status_code == 200:
                    response.template_name = template
                    response.render()
                raise RollBack(response)
        except RollBack as rollback:
            return rollback.response
        finally:
            request.restoring = None

    def _refuse(self, request, reason, article=None, status=403):
        context = {
            **self.admin_site.each_context(request),
            "title": "Not allowed" if status == 403 else "Cannot open this version",
            "opts": self.opts,
            "original": article,
            "reason": reason,
        }
        template = "admin/articles/article/refused.html"
        return TemplateResponse(request, template, context, status=status)

    @staticmethod
    def _article_or_404(object_id):
        try:
            return Article.objects.get(pk=int(unquote(object_id)))
        except (ValueError, Article.DoesNotExist) as error:
            raise Http404("No such article.") from error

    # Actions: bulk updates, each recorded in the articles' history and revisions.

    @admin.action(description="Publish selected articles", permissions=["publish"])
    def publish(self, request, queryset):
        now = timezone.now()
        # Their expiry has passed: published (now), they would not appear (and an undated
        # one would break the CHECK constraint of the two times). Left as they are.
        past_expiry = queryset.filter(expires_at__lte=now)
        refused = past_expiry.count()
        queryset = queryset.exclude(pk__in=past_expiry.values("pk"))
        with transaction.atomic():
            queryset.filter(published_at__isnull=True).update(published_at=now)
            count = self._set_status(request, queryset, Article.Status.PUBLISHED)
        self.message_user(
            request,
            ngettext("Published %d article.", "Published %d articles.", count) % count,
            messages.SUCCESS,
        )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%d article was not published: its “Live until” time has passed. "
                    "Set a later one, or clear it, in the article’s form.",
                    "%d articles were not published: their “Live until” time has passed. "
                    "Set a later one, or clear it, in each article’s form.",
                    refused,
                )
                % refused,
                messages.WARNING,
            )

    @admin.action(
        description="Unpublish selected articles (back to draft)", permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        with transaction.atomic():
            count = self._set_status(request, queryset, Article.Status.DRAFT)
        self.message_user(
            request,
            ngettext("Unpublished %d article.", "Unpublished %d articles.", count) % count,
            messages.SUCCESS,
        )

    def _set_status(self, request, queryset, status):
        """One revision and one history entry per article: restoring one of them later
        touches that article alone."""
        pks = list(queryset.values_list("pk", flat=True))
        articles = list(Article.objects.filter(pk__in=pks))
        for article in articles:
            before = revisions.snapshot(revisions.live_state(article))
            article.status, article.last_edited_by = status, request.user
            message = revisions.describe(before, {**before, "status": status})
            with create_revision():
                set_user(request.user)
                set_comment(message)
                article.save(update_fields=["status", "last_edited_by", "updated_at"])
                add_to_revision(article)
            review.settle(article, request.user, origin=review_admin.origin(request))
            LogEntry.objects.log_actions(
                request.user.pk, [article], CHANGE, message, single_object=True
            )
        return len(articles)

    # Editor helpers: tag suggestions and a Markdown preview.

    def get_urls(self):
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<str:object_id>/preview-links/",
                self.admin_site.admin_view(partial(preview_admin.create_view, model_admin=self)),
                name="articles_article_preview_link",
            ),
            path(
                "<str:object_id>/preview-links/revoke/",
                self.admin_site.admin_view(partial(preview_admin.revoke_view, model_admin=self)),
                name="articles_article_preview_revoke",
            ),
            path(
                "<path:object_id>/discard-draft/",
                self.admin_site.admin_view(self.discard_draft_view),
                name="articles_article_discard_draft",
            ),
            path(
                "<str:object_id>/autosave/",
                self.admin_site.admin_view(self.autosave_view),
                name="articles_article_autosave",
            ),
            path(
                "<str:object_id>/preview/",
                # Shown in a frame of the change form, on this site only.
                self.admin_site.admin_view(
                    csp_replace({"frame-ancestors": "'self'"})(
                        xframe_options_sameorigin(self.preview_view)
                    )
                ),
                name="articles_article_preview",
            ),
            path(
                "tag-suggestions/",
                self.admin_site.admin_view(self.tag_suggestions_view),
                name="articles_article_tag_suggestions",
            ),
            path(
                "markdown-preview/",
                self.admin_site.admin_view(self.markdown_preview_view),
                name="articles_article_markdown_preview",
            ),
            *review_admin.urls(self),
        ] + super().get_urls()

    def _require_editor(self, request):
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied

    def tag_suggestions_view(self, request):
        return require_GET(self._tag_suggestions)(request)

    def _tag_suggestions(self, request):
        self._require_editor(request)
        # PostgreSQL text cannot hold NUL: drop control characters, as search does.
        term = CONTROL.sub("", request.GET.get("q", "")).strip()[:100]
        tags = Tag.objects.all()
        if term:
            tags = tags.filter(name__icontains=term)
        names = tags.annotate(
            uses=Count("articles_taggedarticle_items"),
            starts=Count("pk", filter=Q(name__istartswith=term)),
        ).order_by("-starts", "-uses", "name")
        return JsonResponse({"tags": [tag.name for tag in names[:TAG_SUGGESTIONS]]})

    def markdown_preview_view(self, request):
        return require_POST(self._markdown_preview)(request)

    def _markdown_preview(self, request):
        self._require_editor(request)
        body = request.POST.get("body", "")[: limits.SECTION_BODY_MAX_LENGTH]
        # Library images drawn as on the page (a missing one named), never <img src="image:N">.
        section = Section(body=body, body_html=render_markdown(body))
        images.expand_sections([section], show_missing=True)
        return JsonResponse({"html": section.body_html})


review_admin.install(admin.site)


@admin.register(OutgoingMail)
class OutgoingMailAdmin(CheckedChangeListMixin, review_admin.OutboxAdmin):
    pass


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class StaffUserAdmin(CheckedChangeListMixin, UserAdmin):
    form = StaffUserChangeForm


admin.site.unregister(Tag)


class TopicProfileInline(admin.StackedInline):
    """The topic's description, on the tag's own form."""

    model = TopicProfile
    can_delete = False
    verbose_name_plural = "description"


@admin.register(Tag)
class TagAdmin(CheckedChangeListMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    ordering = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_tags"]
    inlines = [TopicProfileInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(article_count=Count("articles_taggedarticle_items"))
        )

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, tag):
        return tag.article_count

    @admin.action(description="Merge selected tags into one", permissions=["change"])
    def merge_tags(self, request, queryset):
        tags = list(queryset.order_by("-article_count", "name"))
        if len(tags) < 2:
            self.message_user(request, "Select at least two tags to merge.", messages.WARNING)
            return None
        form = TagMergeForm(request.POST if "keep" in request.POST else None, tags=tags)
        if form.is_valid():
            keep = form.cleaned_data["keep"]
            merged = merge_tags(keep, [tag for tag in tags if tag.pk != keep.pk])
            message = f"Merged {', '.join(merged)} into {keep.name}."
            LogEntry.objects.log_actions(
                request.user.pk, Tag.objects.filter(pk=keep.pk), CHANGE, message, single_object=True
            )
            self.message_user(request, message, messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/taggit/tag/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": "Merge tags",
                "opts": self.model._meta,
                "form": form,
                "tags": tags,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )
