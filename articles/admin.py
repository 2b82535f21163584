from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import ngettext

from .forms import SectionForm, SectionFormSet, save_sections
from .models import Article, Section


class SectionInline(admin.StackedInline):
    model = Section
    form = SectionForm
    formset = SectionFormSet
    extra = 0
    fields = ["position", "heading", "anchor", "body"]
    ordering = ["position"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "tag_list", "section_count"]
    list_filter = ["status", "tags"]
    list_select_related = ["author"]
    search_fields = ["title", "standfirst", "sections__heading", "sections__body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author"]
    actions = ["publish", "unpublish"]
    inlines = [SectionInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "tags"]}),
        ("Publication", {"fields": ["status", "published_at", "author"]}),
    ]

    def get_queryset(self, request):
        qs = super().get_queryset(request).prefetch_related("tags")
        return qs.annotate(section_count=Count("sections", distinct=True))

    @admin.display(description="Tags")
    def tag_list(self, article):
        return ", ".join(tag.name for tag in article.tags.all())

    @admin.display(description="Sections", ordering="section_count")
    def section_count(self, article):
        return article.section_count

    def save_model(self, request, obj, form, change):
        if obj.author_id is None and not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is Section:
            save_sections(formset)
        else:
            super().save_formset(request, form, formset, change)

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish(self, request, queryset):
        now = timezone.now()
        with transaction.atomic():
            queryset.filter(published_at__isnull=True).update(published_at=now)
            count = queryset.update(status=Article.Status.PUBLISHED, updated_at=now)
        self.message_user(
            request,
            ngettext("Published %d article.", "Published %d articles.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.update(status=Article.Status.DRAFT, updated_at=timezone.now())
        self.message_user(
            request,
            ngettext("Unpublished %d article.", "Unpublished %d articles.", count) % count,
            messages.SUCCESS,
        )
