"""The admin's view of expiry: a list filter built from the published rule's time part
(articles/models.py), so that "Expired" in the list means what readers see."""

from django.contrib import admin

from .models import Article, expired_q, live_state_q


class ExpiryFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return [("expires", "Live, with an expiry"), ("expired", "Expired")]

    def queryset(self, request, queryset):
        if self.value() == "expires":
            return queryset.filter(pk__in=Article.objects.published()).filter(
                expires_at__isnull=False
            )
        if self.value() == "expired":
            return queryset.filter(live_state_q() & expired_q())
        return queryset
