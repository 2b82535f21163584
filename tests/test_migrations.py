"""Models and migrations agree, and the roles migration can be undone and redone."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command


def test_no_missing_migrations(db):
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_roles_migration_is_reversible():
    call_command("migrate", "articles", "0002", verbosity=0)
    assert not Group.objects.filter(name__in=["Authors", "Editors"]).exists()
    call_command("migrate", "articles", verbosity=0)
    assert Group.objects.filter(name__in=["Authors", "Editors"]).count() == 2
