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
def test_an_index_made_another_way_is_rebuilt_at_migrate(client, make_article):
    from articles.models import SearchDocument, SearchEntry, SearchIndexState

    make_article(title="Security", sections=[("", "本港加強網絡安全。")])
    # As indexed before 0005: Traditional characters, one token each.
    SearchEntry.objects.update(body="本 港 加 強 網 絡 安 全 。")
    SearchDocument.objects.update(body="本 港 加 強 網 絡 安 全 。")
    SearchIndexState.objects.update(format="traditional-only")
    assert client.get("/search/", {"q": "网络安全"}).context["paginator"].count == 0
    call_command("migrate", verbosity=0)
    assert (
        SearchEntry.objects.get().body
        == "本 本港 港 港加 加 加强 强 强网 网 网络 络 络安 安 安全 全"
    )
    assert client.get("/search/", {"q": "网络安全"}).context["paginator"].count == 1


@pytest.mark.django_db(transaction=True)
def test_the_schema_migrates_to_zero_and_back(client, make_article):
    """Every migration can be undone and redone; the site works again afterwards, its
    triggers and search index included."""
    call_command("migrate", "articles", "zero", verbosity=0)
    from django.db import connection

    assert "articles_article" not in connection.introspection.table_names()
    call_command("migrate", verbosity=0)
    article = make_article(title="Back again", tags=["Return"], sections=[("", "durian")])
    assert "Back again" in client.get("/").content.decode()
    assert "1 article" in client.get("/tags/").content.decode()
    assert client.get("/search/", {"q": "durian"}).context["paginator"].count == 1
    article.delete()
    assert "Back again" not in client.get("/").content.decode()
