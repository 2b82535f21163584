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


@pytest.mark.django_db(transaction=True)
def test_search_migration_rebuilds_entries_in_either_script(client, make_article):
    from articles.models import SearchEntry

    make_article(title="Security", sections=[("", "本港加強網絡安全。")])
    SearchEntry.objects.update(body="本 港 加 強 網 絡 安 全 。")  # as indexed before 0005
    assert client.get("/search/", {"q": "网络安全"}).context["paginator"].count == 0
    call_command("migrate", "articles", "0004", verbosity=0)
    call_command("migrate", "articles", verbosity=0)
    assert SearchEntry.objects.get().body == "本 港 加 强 网 络 安 全 。"
    assert client.get("/search/", {"q": "网络安全"}).context["paginator"].count == 1
