"""Synthetic content for benchmarks: the shape the scale tests rely on."""

import re

import pytest
from django.db import connection
from django.db.models import Count

from articles.markdown import render_markdown
from articles.models import Article, SearchEntry, Section, TaggedArticle
from articles.search import entry_fields
from devtools.generator import generate, vocabulary

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_generated_articles_have_the_promised_shape(db):
    assert generate(40, seed=7, batch=15) == 40
    articles = Article.objects.annotate(
        sections_n=Count("sections", distinct=True), tags_n=Count("tagged_items", distinct=True)
    )
    assert articles.count() == 40
    assert all(a.is_published for a in articles)
    assert {a.sections_n for a in articles} <= set(range(3, 9))
    assert {a.tags_n for a in articles} <= set(range(2, 7))
    for section in Section.objects.all():
        words = len(re.findall(r"[A-Za-z]+", section.body))
        assert 80 <= words <= 250, words
    assert any(CJK.search(s.body) for s in Section.objects.all())
    assert SearchEntry.objects.count() == Section.objects.count()


def test_generated_html_and_index_are_what_saving_would_make(db):
    generate(10, seed=4)
    for section in Section.objects.select_related("article"):
        assert section.body_html == render_markdown(section.body)
        expected = entry_fields(section.article, section)
        entry = SearchEntry.objects.get(section=section)
        assert {k: getattr(entry, k) for k in expected if k != "article_id"} == {
            k: v for k, v in expected.items() if k != "article_id"
        }


def test_generated_search_documents_are_what_indexing_would_write(db):
    """Every column, links too: without them PostgreSQL finds no quoted phrase."""
    from articles import search
    from articles.models import SearchDocument

    generate(10, seed=4)
    columns = [f.attname for f in SearchDocument._meta.concrete_fields if f.attname != "id"]
    written = list(SearchDocument.objects.order_by("article_id").values_list(*columns))
    search.index_documents(Article.objects.values_list("pk", flat=True))
    assert list(SearchDocument.objects.order_by("article_id").values_list(*columns)) == written
    if connection.vendor == "postgresql":
        assert all(links for (links,) in SearchDocument.objects.values_list("links"))


def test_tags_follow_a_long_tail(db):
    generate(300, seed=3)
    counts = list(
        TaggedArticle.objects.values("tag")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("n", flat=True)
    )
    assert counts[0] > 10 * counts[len(counts) // 2]
    assert len(vocabulary()) >= 200


def test_the_same_seed_gives_the_same_articles(db):
    generate(5, seed=11)
    first = list(Article.objects.order_by("slug").values_list("title", flat=True))
    Article.objects.all().delete()
    generate(5, seed=11)
    assert list(Article.objects.order_by("slug").values_list("title", flat=True)) == first


def test_generated_articles_are_searchable(client, db):
    generate(30, seed=5)
    word = Section.objects.first().body.split()[3].strip(".")
    response = client.get("/search/", {"q": word})
    found = re.search(r"(\d+) articles? found", response.content.decode())
    assert int(found[1]) > 0


def test_the_command_line_writes_and_refuses_a_bad_count(db, capsys):
    from devtools.generate import main

    assert main(["--count", "12", "--seed", "2"]) == 0
    assert "12 articles written" in capsys.readouterr().out
    assert Article.objects.count() == 12
    with pytest.raises(SystemExit):
        main(["--count", "0"])
