"""The admin's list of searches that found nothing (articles/search/misses.py): read-only,
for Editors (view permission, migration 0023), the most frequent first."""

from django.contrib import admin

from .models import SearchMiss
from .search.misses import RETENTION_DAYS


@admin.register(SearchMiss)
class SearchMissAdmin(admin.ModelAdmin):
    list_display = ["query", "count", "day"]
    list_filter = ["day"]
    search_fields = ["query"]
    date_hierarchy = "day"
    ordering = ["-count", "-day", "query"]
    list_per_page = 100

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "subtitle": f"How often each search found nothing, per day; kept {RETENTION_DAYS} days",
        }
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
