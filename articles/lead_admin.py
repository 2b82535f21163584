"""The home page's lead in the admin: Editors pin up to three articles, in order, to
lead `/` (LeadStory). Registered from articles/admin.py. Only Editors (the publish
permission, articles/roles.py) add, change or remove a pin; the server refuses
anyone else whatever they send."""

from django.contrib import admin

from . import revisions, roles
from .models import LeadStory


@admin.register(LeadStory)
class LeadStoryAdmin(admin.ModelAdmin):
    list_display = ["position", "article", "shown", "pinned_by", "pinned_at"]
    list_display_links = ["position", "article"]
    list_select_related = ["article", "pinned_by"]
    autocomplete_fields = ["article"]
    fields = ["position", "article"]

    @admin.display(description="On the home page")
    def shown(self, lead):
        article = lead.article
        if article.is_published:
            return "Leads the home page"
        if article.is_expired:
            return f"Not shown: expired {revisions.when(article.expires_at)}"
        if article.is_scheduled:
            return f"Not shown until {revisions.when(article.published_at)}"
        return f"Not shown: {article.get_status_display().lower()}"

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("articles.view_article")

    def has_add_permission(self, request):
        return roles.can_publish(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.can_publish(request.user)

    def has_delete_permission(self, request, obj=None):
        return roles.can_publish(request.user)

    def save_model(self, request, obj, form, change):
        obj.pinned_by = request.user
        super().save_model(request, obj, form, change)
