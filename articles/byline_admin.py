"""Author profiles in the admin: Editors edit every profile; Authors their own only,
its name and bio (the address and the account it belongs to are an Editor's choice)."""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import path, reverse

from . import roles
from .bylines import unique_slug
from .models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name", "slug"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    prepopulated_fields = {"slug": ["name"]}

    def get_fields(self, request, obj=None):
        if roles.can_publish(request.user):
            return ["name", "slug", "bio", "user"]
        return ["name", "bio"] if obj is None else ["name", "slug", "bio"]

    def get_readonly_fields(self, request, obj=None):
        if roles.can_publish(request.user) or obj is None:
            return []
        return ["slug"]

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if roles.can_publish(request.user) else {}

    def get_queryset(self, request):
        people = super().get_queryset(request)
        if roles.can_publish(request.user):
            return people
        return people.filter(user=request.user)

    # Authors: one profile, their own.

    def has_add_permission(self, request):
        if not super().has_add_permission(request):
            return False
        return (
            roles.can_publish(request.user) or not Person.objects.filter(user=request.user).exists()
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or roles.can_edit_profile(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and roles.can_publish(request.user)

    def save_model(self, request, obj, form, change):
        if not change and not roles.can_publish(request.user):
            obj.user = request.user
            obj.slug = unique_slug(obj.name, f"author-{request.user.pk}")
        super().save_model(request, obj, form, change)

    def get_urls(self):
        mine = path(
            "mine/", self.admin_site.admin_view(self.mine_view), name="articles_person_mine"
        )
        return [mine, *super().get_urls()]

    def mine_view(self, request):
        """The signed-in user's own profile: its form, or the form to make it."""
        person = Person.objects.filter(user=request.user).first()
        if person is not None:
            return HttpResponseRedirect(reverse("admin:articles_person_change", args=[person.pk]))
        return HttpResponseRedirect(reverse("admin:articles_person_add"))
