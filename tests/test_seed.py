"""The two seed documents reach readers verbatim, and `make run` never duplicates them."""

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from taggit.models import Tag

from articles.importer import NUMBERED_HEADING
from articles.models import Article, Section
from articles.seed import FIXTURE_PATH, SEED_DIR, SEEDS, build_fixture, seed_text

SHARED_SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"


def page_text(response):
    return BeautifulSoup(response.content.decode(), "html.parser").get_text(" ")


def expected_lines(seed):
    """Each non-blank line of the seed as a reader should find it on the page."""
    lines = [line.strip() for line in seed_text(seed).splitlines() if line.strip()]
    for line in lines:
        numbered = NUMBERED_HEADING.match(line)
        if numbered:  # "  1. AI in Finance:" is the heading "AI in Finance"
            yield numbered["text"]
        elif line.endswith(":") and len(line) < 100:
            yield line.removesuffix(":")
        else:
            yield line


def test_fixture_is_what_the_importer_makes_of_the_seeds():
    assert FIXTURE_PATH.read_text(encoding="utf-8") == build_fixture()


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="../shared/seeds is not beside the checkout")
def test_bundled_seed_files_match_the_shared_originals():
    for seed in SEEDS:
        assert (SEED_DIR / seed.filename).read_bytes() == (
            SHARED_SEEDS / seed.filename
        ).read_bytes()


def test_fixture_holds_only_the_two_seed_articles():
    records = json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))
    articles = [r for r in records if r["model"] == "articles.article"]
    assert [a["fields"]["slug"] for a in articles] == [seed.slug for seed in SEEDS]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda seed: seed.slug)
def test_every_seed_line_reaches_the_reader_verbatim(client, seeded, seed):
    text = " ".join(page_text(client.get(reverse("articles:detail", args=[seed.slug]))).split())
    for line in expected_lines(seed):
        assert " ".join(line.split()) in text, line


def test_text_outside_ascii_survives(client, seeded):
    response = client.get(reverse("articles:detail", args=["rise-of-ai-in-hong-kong"]))
    text = response.content.decode()
    assert "fostering innovation and 香港AI reshaping industries" in text
    assert "Hong Kong’s government has been proactive" in text
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_seed_articles_are_split_into_sections_in_order(seeded):
    article = seeded["rise-of-ai-in-hong-kong"]
    assert [s.heading for s in article.sections.all()] == [
        "Government Initiatives and Support",
        "AI in Finance",
        "Healthcare and Biotechnology",
        "Education and Research",
        "Startups and Innovation Ecosystem",
        "Future Prospects",
    ]
    china = seeded["china-ai-revolution-lunar-new-year"]
    assert china.standfirst.startswith("As China's AI sector reaches new milestones")
    assert china.title.count("China's AI Revolution") == 1
    headings = [s.heading for s in china.sections.all()]
    assert headings[:3] == [
        "",
        "Story Summary",
        "China's AI Sector Reaches New Heights Ahead of Lunar New Year",
    ]
    assert china.sections.all()[0].body.startswith("Story: China's AI Sector Soars")


def test_seed_articles_carry_editorial_tags(seeded):
    names = set(seeded["china-ai-revolution-lunar-new-year"].tags.names())
    assert {"Hong Kong", "Cybersecurity", "Regulation", "Mental health"} <= names
    assert {"Finance", "Healthcare", "Startups"} <= set(
        seeded["rise-of-ai-in-hong-kong"].tags.names()
    )


def test_loading_the_seed_twice_does_not_duplicate(db):
    call_command("load_seed", verbosity=0)
    call_command("load_seed", verbosity=0)
    assert Article.objects.count() == 2
    assert Section.objects.count() == 14


def test_load_seed_leaves_an_editors_changes_alone(seeded):
    Article.objects.filter(slug="rise-of-ai-in-hong-kong").update(title="Edited by an editor")
    call_command("load_seed", verbosity=0)
    assert Article.objects.get(slug="rise-of-ai-in-hong-kong").title == "Edited by an editor"


def test_load_seed_never_touches_existing_tags(db, make_article):
    article = make_article(tags=["Robots", "Finance"])
    article.delete()
    call_command("load_seed", verbosity=0)
    assert Article.objects.count() == 0
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Finance", "Robots"]


def test_import_command_produces_the_fixture_content(db, tmp_path):
    """The command, run on each seed with the same choices, writes what the fixture holds."""
    for seed in SEEDS:
        call_command(
            "import_document",
            str(SEED_DIR / seed.filename),
            slug=seed.slug,
            tags=",".join(seed.tags),
            published_at=seed.published_at.isoformat(),
            stdout=open(tmp_path / "out", "w"),
        )
    imported = snapshot()
    Article.objects.all().delete()
    Tag.objects.all().delete()
    call_command("loaddata", "seed", verbosity=0)
    assert snapshot() == imported


def snapshot():
    return [
        (
            a.title,
            a.slug,
            a.standfirst,
            a.status,
            a.published_at,
            sorted(a.tags.names()),
            [(s.position, s.heading, s.anchor, s.body, s.body_html) for s in a.sections.all()],
        )
        for a in Article.objects.order_by("slug")
    ]


def test_the_seed_articles_topics_are_searched_like_an_editors(client, seeded):
    """loaddata writes the taggings without the signal that indexes them: the seed's
    topics were missing from its search documents and from "Did you mean", which
    offered "regulate" for "regulaton" beside the topic Regulation of both articles."""
    page = page_text(client.get(reverse("articles:search"), {"q": "regulaton"}))
    assert "Did you mean regulation ?" in " ".join(page.split())
