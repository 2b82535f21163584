"""The same queries find the same articles on SQLite and on PostgreSQL.

`make test` runs this module on both engines; the expected answers are written here,
not taken from either engine. The content is the two seed articles and a few made for
the cases below (stems, prefixes, phrases, exclusions, Chinese in both scripts)."""

import datetime

import pytest
from django.utils import timezone

from articles import search

CHINA = "china-ai-revolution-lunar-new-year"
HK = "rise-of-ai-in-hong-kong"
ARTICLES = {
    "fintech-rules": (
        "New fintech rules for banks",
        "Regulators publish guidelines.",
        ["Fintech", "Regulation"],
        [
            ("", "The regulator announced regulations for virtual banking."),
            ("Innovation", "An innovation sandbox opens for startups."),
        ],
    ),
    "clinic-chatbots": (
        "Clinic chatbots",
        "Hospitals try assistants.",
        ["Healthcare"],
        [
            ("", "Patients ask about their health, and mental strain is common."),
            ("Privacy", "Data protection and security audits follow."),
        ],
    ),
    "hk-traditional": (
        "香港人工智慧發展",
        "本港企業加強網絡安全。",
        ["香港"],
        [
            ("", "香港人工智慧發展迅速，大學研究團隊發表成果。"),
            ("Fintech", "金融科技 fintech startups in 香港 grow."),
        ],
    ),
    "mainland-simplified": (
        "人工智能新政策",
        "内地发布网络安全指引。",
        ["Policy"],
        [("", "人工智能 香港 合作持续深化。"), ("Cyber", "Cyberattacks rose this year.")],
    ),
    "quantum-lab": (
        "Quantum lab opens",
        "A university lab.",
        ["Research", "Quantum"],
        [
            ("", "Researchers built a quantum computer, NEAR the harbour."),
            ("Funding", "Funded by a venture capital group; café owners cheered."),
        ],
    ),
}


@pytest.fixture
def content(seeded, make_article):
    now = timezone.now()
    for n, (slug, (title, standfirst, tags, sections)) in enumerate(ARTICLES.items()):
        make_article(
            slug=slug,
            title=title,
            standfirst=standfirst,
            tags=tags,
            sections=sections,
            published_at=now - datetime.timedelta(days=n + 1),
        )


# (query, the slugs of the articles it finds), whatever the engine.
QUERIES = [
    # English words, stems and prefixes
    ("innovations", {HK, CHINA, "fintech-rules"}),
    ("regulation", {HK, CHINA, "fintech-rules"}),
    ("regulators guidelines", {"fintech-rules"}),
    ("cyber", {CHINA, "mainland-simplified"}),
    ("cyberattacks", {CHINA, "mainland-simplified"}),
    ("curity", set()),
    ("quantum", {"quantum-lab"}),
    ("researchers", {HK, "quantum-lab"}),
    ("cafe", {"quantum-lab"}),
    ("CAFÉ", {"quantum-lab"}),
    # words in different sections, title, standfirst and tags
    ("Zhipu EmoCare", {CHINA}),
    ("MiniMax cyberattacks", {CHINA}),
    ("clinic privacy", {"clinic-chatbots"}),
    ("healthcare audits", {"clinic-chatbots"}),
    ("quantum venture", {"quantum-lab"}),
    ("biotechnology lunar", set()),
    # phrases
    ('"mental health"', {CHINA}),
    ('"health mental"', set()),
    ('"venture capital"', {HK, "quantum-lab"}),
    ('"virtual banking"', {"fintech-rules"}),
    ('"香港 人工智能"', {"hk-traditional"}),
    ('"人工智能 香港"', {"mainland-simplified"}),
    ('"by a venture capital group"', {"quantum-lab"}),
    ('"capital venture"', set()),
    ('"fintech startups in 香港"', {"hk-traditional"}),
    ('"金融科技 fintech"', {"hk-traditional"}),
    ('"venture capital" -quantum', {HK}),
    ('"香港 人工智能" -quantum', {"hk-traditional"}),
    ('"香港 人工智能" -fintech', set()),
    # exclusions
    ("fintech -quantum", {"fintech-rules", "hk-traditional"}),
    ("fintech -regulators", {"hk-traditional"}),
    ("health -mental", {HK}),  # "mental strain" in clinic-chatbots
    ('venture -"venture capital"', set()),
    # Chinese, either script, and mixed
    ("香港", {HK, "hk-traditional", "mainland-simplified"}),
    ("人工智能", {"hk-traditional", "mainland-simplified"}),
    ("人工智慧", {"hk-traditional", "mainland-simplified"}),
    ("网络安全", {"hk-traditional", "mainland-simplified"}),
    ("網絡安全 fintech", {"hk-traditional"}),
    ("香港 fintech", {"hk-traditional"}),
    ("金融科技", {"hk-traditional"}),
    ("港", {HK, "hk-traditional", "mainland-simplified"}),
    # what looks like search syntax is just words
    ("NEAR harbour", {"quantum-lab"}),
    ("quantum*", {"quantum-lab"}),
    ("^quantum", {"quantum-lab"}),
    ("quantum AND lab", set()),
]


def test_the_list_is_long_enough():
    assert len(QUERIES) >= 30


@pytest.mark.parametrize("query, expected", QUERIES, ids=[q for q, _ in QUERIES])
def test_query_finds_the_same_articles(content, query, expected):
    found = search.search(query)
    assert {hit.article.slug for hit in found[0:100]} == expected


@pytest.mark.parametrize("walk_from, way", [(0.0, "walk"), (2.0, "index")])
def test_postgresql_finds_the_same_articles_either_way(content, walk_from, way, monkeypatch):
    """PostgreSQL finds the newest matches by walking the documents or through the
    full-text index, as the planner's estimate of the matches decides (migration 0026):
    each query finds the same articles both ways."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL chooses between two ways; SQLite has one")
    from articles.search import postgresql

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_searchdocument")  # the estimate needs statistics
    monkeypatch.setattr(postgresql, "WALK_FROM", walk_from)
    found = {
        query: {hit.article.slug for hit in search.search(query)[0:100]} for query, _ in QUERIES
    }
    assert found == dict(QUERIES), way
