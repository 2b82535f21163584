import re

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from reversion import add_to_revision, create_revision, set_comment, set_user
from reversion.admin import VersionAdmin
from taggit.models import Tag

from . import roles, search
from .forms import ArticleForm, SectionForm, SectionFormSet, TagMergeForm, save_sections
from .markdown import render_markdown
from .models import Article, Section, TaggedArticle

TAG_SUGGESTIONS = 10
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SectionInline(admin.StackedInline):
    model = Section
    form = SectionForm
    formset = SectionFormSet
    extra = 0
    ordering = ["position"]

    # Sections are part of the article: whoever may edit the article edits them.
    def has_add_permission(self, request, obj=None):
        return roles.can_edit(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return roles.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return roles.can_edit(request.user, obj)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("articles.view_article")


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleForm
    list_display = ["title", "state", "published_at", "tag_list", "section_count", "author"]
    list_filter = ["status", "tags"]
    list_select_related = ["author"]
    search_fields = ["title", "standfirst", "sections__heading", "sections__body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author"]
    actions = ["publish", "unpublish"]
    inlines = [SectionInline]
    history_latest_first = True

    class Media:
        css = {"all": ["css/admin-editor.css"]}
        js = ["js/admin-editor.js"]

    def get_fieldsets(self, request, obj=None):
        text = (None, {"fields": ["title", "slug", "standfirst", "tags", "opened_token"]})
        if roles.can_publish(request.user):
            return [text, ("Publication", {"fields": ["status", "published_at", "author"]})]
        return [text, ("Publication", {"fields": ["status"]})]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not roles.can_publish(request.user):
            kwargs["choices"] = [
                (value, label)
                for value, label in Article.Status.choices
                if value != Article.Status.PUBLISHED
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

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
        elif db_field.name == "published_at" and field is not None:
            # The admin writes "Date:" and "Time:" beside the two inputs as bare text.
            date, time = field.widget.widgets
            date.attrs["aria-label"] = "Publication date"
            time.attrs["aria-label"] = "Publication time"
        return field

    def get_queryset(self, request):
        qs = super().get_queryset(request).prefetch_related("tags")
        return qs.annotate(section_count=Count("sections", distinct=True))

    # Who may do what (the server checks; the admin also hides what a role cannot do).

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and roles.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and roles.can_edit(request.user, obj)

    def has_publish_permission(self, request):
        return roles.can_publish(request.user)

    # Columns.

    @admin.display(description="State", ordering="status")
    def state(self, article):
        if article.is_scheduled:
            when = formats.date_format(timezone.localtime(article.published_at), "j M Y, H:i")
            return f"Scheduled for {when}"
        return article.get_status_display()

    @admin.display(description="Tags")
    def tag_list(self, article):
        return ", ".join(tag.name for tag in article.tags.all())

    @admin.display(description="Sections", ordering="section_count")
    def section_count(self, article):
        return article.section_count

    # Saving.

    def save_model(self, request, obj, form, change):
        if not change and obj.author_id is None:
            obj.author = request.user
        obj.last_edited_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is Section:
            save_sections(formset)
        else:
            super().save_formset(request, form, formset, change)

    def log_change(self, request, obj, message):
        restoring = getattr(request, "restoring_version", None)
        if restoring is not None:
            when = formats.date_format(
                timezone.localtime(restoring.revision.date_created), "DATETIME_FORMAT"
            )
            message = f"Restored the revision saved on {when}."
        return super().log_change(request, obj, message)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            from reversion.models import Version

            request.restoring_version = Version.objects.filter(pk=version_id).first()
        return super().revision_view(request, object_id, version_id, extra_context)

    # Actions: bulk updates, each recorded in the articles' history and revisions.

    @admin.action(description="Publish selected articles", permissions=["publish"])
    def publish(self, request, queryset):
        now = timezone.now()
        with transaction.atomic():
            queryset.filter(published_at__isnull=True).update(published_at=now)
            count = self._set_status(request, queryset, Article.Status.PUBLISHED, "Published.")
        self.message_user(
            request,
            ngettext("Published %d article.", "Published %d articles.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(
        description="Unpublish selected articles (back to draft)", permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        with transaction.atomic():
            count = self._set_status(request, queryset, Article.Status.DRAFT, "Unpublished.")
        self.message_user(
            request,
            ngettext("Unpublished %d article.", "Unpublished %d articles.", count) % count,
            messages.SUCCESS,
        )

    def _set_status(self, request, queryset, status, message):
        pks = list(queryset.values_list("pk", flat=True))
        articles = Article.objects.filter(pk__in=pks)
        for article in articles:
            article.status, article.last_edited_by = status, request.user
        with create_revision():
            set_user(request.user)
            set_comment(message)
            for article in articles:
                article.save(update_fields=["status", "last_edited_by", "updated_at"])
                add_to_revision(article)
        LogEntry.objects.log_actions(request.user.pk, articles, CHANGE, message)
        return len(articles)

    # Editor helpers: tag suggestions and a Markdown preview.

    def get_urls(self):
        return [
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
        return JsonResponse({"html": render_markdown(request.POST.get("body", "")[:100_000])})


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    ordering = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_tags"]

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


def merge_tags(keep, others):
    """Move every article's tagging from `others` to `keep`, then delete `others`."""
    names = [tag.name for tag in others]
    with transaction.atomic():
        already = TaggedArticle.objects.filter(tag=keep).values("content_object_id")
        TaggedArticle.objects.filter(tag__in=others, content_object_id__in=already).delete()
        duplicates = (
            TaggedArticle.objects.filter(tag__in=others)
            .values("content_object_id")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        for row in duplicates:  # an article tagged with two of the merged tags
            extra = TaggedArticle.objects.filter(
                tag__in=others, content_object_id=row["content_object_id"]
            ).order_by("pk")[1:]
            TaggedArticle.objects.filter(pk__in=[t.pk for t in extra]).delete()
        TaggedArticle.objects.filter(tag__in=others).update(tag=keep)
        Tag.objects.filter(pk__in=[tag.pk for tag in others]).delete()
        search.index_tag(keep.pk)  # the merged names leave their articles' documents
    return names
