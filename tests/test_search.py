"""Search: what readers find, where the links lead, and bad input. Runs on both engines."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, SearchDocument, SearchEntry, SearchMiss, SearchWord, Section
from articles.search.text import Term, normalize, terms_of

SEARCH = reverse("articles:search")


def results(client, query, **params):
    response = client.get(SEARCH, {"q": query, **params})
    assert response.status_code == 200
    page = BeautifulSoup(response.content.decode(), "html.parser")
    return [
        (hit.select_one("h2 a").get_text(), hit.select_one("h2 a")["href"])
        for hit in page.select("li.search-result")
    ]


def test_chinese_query_finds_the_seed_article(client, seeded):
    assert results(client, "香港") == [
        (seeded["rise-of-ai-in-hong-kong"].title, "/articles/rise-of-ai-in-hong-kong/")
    ]
    assert [title for title, _ in results(client, "香港AI")] == [
        seeded["rise-of-ai-in-hong-kong"].title
    ]


def test_part_of_a_word_finds_the_whole_word_and_links_to_its_section(client, seeded):
    assert results(client, "cyber") == [
        (
            seeded["china-ai-revolution-lunar-new-year"].title,
            "/articles/china-ai-revolution-lunar-new-year/"
            "#cybersecurity-concerns-amidst-ai-expansion",
        )
    ]


def test_snippet_highlights_the_match_and_names_the_section(client, seeded):
    response = client.get(SEARCH, {"q": "diary"})
    hit = BeautifulSoup(response.content.decode(), "html.parser").select_one("li.search-result")
    assert hit.select_one("mark").get_text() == "diary"
    assert hit.select_one(".search-result__section").get_text() == "Harnessing AI for Mental Health"
    assert "turn students' diary entries into colorful" in hit.get_text()


def test_snippets_show_the_text_as_readers_see_it(client, make_article):
    make_article(sections=[("", "Labs & R&D: <b>not bold</b> here.")])
    response = client.get(SEARCH, {"q": "labs"})
    hit = BeautifulSoup(response.content.decode(), "html.parser").select_one("li.search-result")
    assert "Labs & R&D: <b>not bold</b> here." in hit.get_text()
    assert results(client, "amp") == [] and results(client, "lt") == []  # not indexed


def test_every_word_must_match(client, seeded):
    assert len(results(client, "Hong Kong")) == 2
    assert [t for t, _ in results(client, "Hong Kong biotechnology")] == [
        seeded["rise-of-ai-in-hong-kong"].title
    ]
    assert results(client, "biotechnology lunar") == []


def test_title_matches_rank_above_body_matches(client, make_article):
    now = timezone.now()
    make_article(
        title="Markets today",
        sections=[("", "Quantum computing is mentioned only here.")],
        published_at=now,
    )
    make_article(
        title="Quantum leap for Hong Kong labs",
        sections=[("", "A story about laboratories.")],
        published_at=now - datetime.timedelta(days=5),
    )
    assert [t for t, _ in results(client, "quantum")] == [
        "Quantum leap for Hong Kong labs",
        "Markets today",
    ]


def test_heading_matches_link_to_their_section(client, make_article):
    article = make_article(sections=[("Intro", "Nothing here."), ("Drones", "Flying things.")])
    assert results(client, "drones") == [(article.title, article.get_absolute_url() + "#drones")]


def test_only_published_articles_are_found(client, make_article):
    make_article(title="Zebra draft", status=Article.Status.DRAFT)
    make_article(title="Zebra scheduled", published_at=timezone.now() + datetime.timedelta(days=1))
    live = make_article(title="Zebra live")
    assert [t for t, _ in results(client, "zebra")] == [live.title]


def test_index_follows_edits_publishing_and_deletes(client, make_article):
    article = make_article(title="Plain title", sections=[("", "Old words."), ("Other", "x")])
    section = article.sections.get(heading="")
    section.body = "Fresh pangolin sighting."
    section.save()
    assert [t for t, _ in results(client, "pangolin")] == ["Plain title"]
    assert results(client, "Old words") == []

    article.title = "Pangolins of Lantau"
    article.save()
    assert [t for t, _ in results(client, "Lantau")] == ["Pangolins of Lantau"]

    article.status = Article.Status.DRAFT
    article.save()
    assert results(client, "pangolin") == []
    article.status = Article.Status.PUBLISHED
    article.save()
    assert len(results(client, "pangolin")) == 1

    section.delete()
    assert results(client, "pangolin") == [("Pangolins of Lantau", article.get_absolute_url())]
    article.delete()
    assert results(client, "pangolin") == []
    assert SearchEntry.objects.count() == 0


def test_sections_added_in_the_admin_are_searchable(admin_client, client, make_article):
    from tests.helpers import change_url, form_data

    article = make_article(sections=[("", "intro")])
    data = form_data(admin_client.get(change_url(article)), publish=True)
    data.update(
        {"sections-TOTAL_FORMS": "2", "sections-1-heading": "Okapi", "sections-1-body": "Rare."}
    )
    assert admin_client.post(change_url(article), data).status_code == 302
    assert results(client, "okapi") == [(article.title, article.get_absolute_url() + "#okapi")]


def test_imported_documents_are_searchable(client, db, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("Axolotl news\n\nA Heading\n\nAxolotls arrive.\n", encoding="utf-8")
    call_command("import_document", str(path), "--publish", stdout=open(tmp_path / "o", "w"))
    assert [t for t, _ in results(client, "axolotl")] == ["Axolotl news"]


def test_rebuild_command_recreates_the_index(client, seeded, tmp_path):
    SearchEntry.objects.all().delete()
    assert results(client, "EmoCare") == []
    out = tmp_path / "out"
    call_command("rebuild_search_index", stdout=open(out, "w"))
    assert "Indexed 14 sections" in out.read_text()
    assert len(results(client, "EmoCare")) == 1
    assert SearchEntry.objects.count() == Section.objects.count()


def test_empty_query_is_a_helpful_page(client, seeded):
    response = client.get(SEARCH)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Words match from their start and in any form" in page
    assert 'href="/tags/hong-kong/"' in page
    assert client.get(SEARCH, {"q": "   "}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        "(",
        ")",
        "NEAR",
        "NEAR(a b)",
        "a OR b",
        "title:x",
        "'; DROP TABLE articles_article; --",
        "%",
        "_",
        "\\",
        "^cyber",
        "-cyber",
        "x" * 5000,
        "x" * 10_000,
        "cyber " * 2000,
        "a AND b",
        "AI OR cyber",
        "NOT ai",
        "cyber NEAR/2 ai",
        'title:"香港',
        '"mental health',
        'mental health"',
        '-"',
        "-ai -香港",
        "\x01cyber\x7f\x1b[31m",
        "香港\x00人工",
        "\u200b\ufeff",
        "ａｉ",
        "香港 " * 300,
        "\x00",
        "🤖",
    ],
)
def test_query_syntax_and_long_queries_never_break(client, seeded, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert Article.objects.count() == 2
    if len(query) > 200:
        assert "Searches are limited to 200 characters" in response.content.decode()
    api = client.get(reverse("api:search"), {"q": query})
    assert api.status_code in (200, 422), api.status_code  # 422: over 200 characters


def test_words_past_the_eighth_are_left_out_and_the_page_says_so(client, make_article):
    """A search looks for 8 words or phrases at most (search/text.py MAX_TERMS): the
    page said "1 article found for “… rambutan”" of an article without "rambutan"."""
    make_article(title="Durian one two three four five six seven")
    query = "durian one two three four five six seven rambutan -seven"
    page = " ".join(
        BeautifulSoup(client.get(SEARCH, {"q": query}).content, "html.parser").get_text(" ").split()
    )
    assert "1 article found" in page
    assert "Searches look for at most 8 words or phrases; left out: “rambutan”, “-seven”." in page
    assert "left out:" not in client.get(SEARCH, {"q": "durian one"}).content.decode()
    chinese = client.get("/zh-hant/search/", {"q": query}).content.decode()
    assert "搜尋最多查找 8 個字詞或片語，以下已略去：“rambutan”, “-seven”。" in chinese


@pytest.mark.parametrize("page", ["0", "abc", "99"])
def test_bad_pages_are_404(client, seeded, page):
    assert client.get(SEARCH, {"q": "AI", "page": page}).status_code == 404


def test_results_are_paginated(client, make_article):
    for n in range(12):
        make_article(title=f"Kiwi {n}")
    first = results(client, "kiwi")
    second = results(client, "kiwi", page=2)
    assert len(first) == 10 and len(second) == 2
    assert not {t for t, _ in first} & {t for t, _ in second}


def test_search_query_count_is_flat(client, make_article, django_assert_num_queries):
    for _ in range(3):
        make_article(title="Lychee", sections=[("A", "lychee"), ("B", "lychee")])
    # The content version (page cache), the tokens starting "lyche" (a prefix of five
    # letters or more, search/prefixes.py), the ranked matching articles, their topics,
    # the entries of those on the page (to pick the best section), then those sections
    # with articles.
    with django_assert_num_queries(6):
        client.get(SEARCH, {"q": "lychee"})
    for _ in range(30):
        make_article(title="Lychee", sections=[("A", "lychee")] * 3)
    with django_assert_num_queries(6):
        client.get(SEARCH, {"q": "lychee"})


def test_terms_are_words_phrases_and_exclusions():
    assert terms_of('"Hong Kong" kong* (AI) -crypto -"web 3" hong AI') == [
        Term("Hong Kong", phrase=True),
        Term("kong*"),
        Term("(AI)"),
        Term("crypto", exclude=True),
        Term("web 3", phrase=True, exclude=True),
        Term("hong"),
    ]
    assert terms_of('"unbalanced quote') == [Term("unbalanced quote", phrase=True)]
    assert terms_of('* ^ " () -') == []


def test_english_is_stemmed_and_chinese_indexed_as_characters_and_pairs():
    assert normalize("Fostering 香港AI reshaping Cafés") == "foster 香 香港 港 ai reshap cafe"


# Simplified and Traditional Chinese are the same to a reader.


def test_chinese_is_indexed_in_simplified_with_mainland_wording_added():
    assert normalize("網絡安全") == "网 网络 络 络安 安 安全 全"
    assert normalize("人工智慧 AI") == "人 人工 工 工智 智 智慧 慧 ai 人 人工 工 工智 智 智能 能"
    assert normalize("人工智能") == "人 人工 工 工智 智 智能 能"


@pytest.mark.parametrize(
    "query, text",
    [
        ("网络安全", "本港企業加強網絡安全。"),
        ("網絡安全", "本港企业加强网络安全。"),
        ("香港人工智能", "香港人工智慧發展迅速。"),
        ("香港人工智慧", "香港人工智能发展迅速。"),
        ("網路安全", "加強網絡安全。"),  # Taiwan wording, Hong Kong text
        ("科技", "資訊科技總監辦公室"),  # a word that phrase conversion rewrites
        ("衛生署", "衞生署推出新系統"),  # Hong Kong variant characters
    ],
)
def test_either_script_finds_the_other(client, make_article, query, text):
    article = make_article(sections=[("", "Intro."), ("亞洲", text)])
    assert results(client, query) == [
        (article.title, f"{article.get_absolute_url()}#{article.sections.last().anchor}")
    ]


def test_snippet_marks_the_match_as_written(client, make_article):
    make_article(sections=[("", "政府表示，網絡安全是重點。")])
    response = client.get(SEARCH, {"q": "网络安全"})
    hit = BeautifulSoup(response.content.decode(), "html.parser").select_one("li.search-result")
    assert hit.select_one("mark").get_text() == "網絡安全"


def test_a_chinese_query_shows_the_passage_around_its_match(client, make_article):
    # A query of Chinese alone marks no English word, and its passage starts near the
    # match, not at the start of the section.
    words = " ".join(f"policy{i}" for i in range(120))
    make_article(sections=[("", f"{words} 香港人工智能 closing policy words.")])
    response = client.get(SEARCH, {"q": "人工智能"})
    snippet = BeautifulSoup(response.content.decode(), "html.parser").select_one(
        ".search-result__snippet"
    )
    assert [mark.get_text() for mark in snippet.select("mark")] == ["人工智能"]
    assert snippet.get_text().startswith("…policy")
    assert "policy0 " not in snippet.get_text()


def test_cross_script_titles_rank_as_titles(client, make_article):
    now = timezone.now()
    make_article(title="Body only", sections=[("", "人工智慧")], published_at=now)
    make_article(
        title="人工智能新政策",
        sections=[("", "Policy.")],
        published_at=now - datetime.timedelta(days=3),
    )
    assert [t for t, _ in results(client, "人工智慧")] == ["人工智能新政策", "Body only"]


def test_a_search_matching_too_many_ranks_the_latest_published(client, make_article, monkeypatch):
    """Past sql.WINDOW matching articles, only the latest published are ranked and
    counted (so a word in every article costs no more than a rare one), and the page
    says so; an older back catalogue added later does not count as newest."""
    from articles.search import sql

    now = timezone.now()
    for n in range(5):
        make_article(
            title=f"Durian {n}",
            sections=[("", "Durian season."), ("More", "Rain.")],
            published_at=now - datetime.timedelta(days=10 - n),
        )
    for n in range(3):  # imported afterwards (higher ids), published years ago
        make_article(title=f"Old durian {n}", published_at=now - datetime.timedelta(days=900))
    complete = client.get(SEARCH, {"q": "durian"}).content.decode()
    assert "8 articles found for “durian”." in complete

    cache.clear()  # the first search's ranking is cached for this content version
    monkeypatch.setattr(sql, "WINDOW", 3)
    assert [title for title, _ in results(client, "durian")] == ["Durian 4", "Durian 3", "Durian 2"]
    page = BeautifulSoup(client.get(SEARCH, {"q": "durian"}).content, "html.parser")
    status = " ".join(page.select_one(".page__intro").get_text().split())
    assert status == (
        "Many articles match “durian”: here are the best 3 of the most recent. "
        "Add a word to narrow the search."
    )
    body = client.get(reverse("api:search"), {"q": "durian"}).json()
    assert (body["count"], body["count_is_exact"]) == (3, False)
    body = client.get(reverse("api:search"), {"q": "old durian"}).json()
    assert (body["count"], body["count_is_exact"]) == (3, True)


def test_drafts_and_scheduled_articles_take_no_place_in_the_window(
    client, make_article, monkeypatch
):
    """The window of the latest matches (sql.WINDOW) holds published articles only: a
    matching article scheduled for tomorrow, or a draft, neither pushes a published
    match out nor makes the page say more matched than it shows."""
    from articles.search import sql

    now = timezone.now()
    for n in range(3):
        make_article(title=f"Durian {n}", published_at=now - datetime.timedelta(days=n + 1))
    for n in range(2):
        make_article(title=f"Durian later {n}", published_at=now + datetime.timedelta(days=n + 1))
        make_article(title=f"Durian draft {n}", status=Article.Status.DRAFT)
    monkeypatch.setattr(sql, "WINDOW", 3)
    assert titles(client, "durian", sort="date") == ["Durian 0", "Durian 1", "Durian 2"]
    page = client.get(SEARCH, {"q": "durian"}).content.decode()
    assert "3 articles found for “durian”." in page
    body = client.get(reverse("api:search"), {"q": "durian"}).json()
    assert (body["count"], body["count_is_exact"]) == (3, True)


def test_words_anywhere_in_the_article_match(client, seeded):
    """Each word in another section, or in the tags: the article is found, linked to
    the section holding most of them."""
    china = seeded["china-ai-revolution-lunar-new-year"]
    assert [title for title, _ in results(client, "Zhipu EmoCare")] == [china.title]
    assert [title for title, _ in results(client, "MiniMax cyberattacks")] == [china.title]
    assert results(client, "Zhipu mental") == [  # "mental" in a heading counts more
        (china.title, china.get_absolute_url() + "#harnessing-ai-for-mental-health")
    ]


def test_tags_are_searchable_and_follow_renames(client, make_article):
    from taggit.models import Tag

    article = make_article(tags=["Okra"], sections=[("", "Vegetables.")])
    assert [title for title, _ in results(client, "okra vegetables")] == [article.title]
    tag = Tag.objects.get(name="Okra")
    tag.name = "Lotus root"
    tag.save()
    assert results(client, "okra") == []
    assert [title for title, _ in results(client, "lotus")] == [article.title]
    article.tags.set(["Kale"])
    assert results(client, "lotus") == [] and len(results(client, "kale")) == 1


def test_snippet_shows_body_text_when_the_heading_matched(client, seeded):
    response = client.get(SEARCH, {"q": "finance"})
    hit = BeautifulSoup(response.content.decode(), "html.parser").select_one("li.search-result")
    assert hit.select_one(".search-result__section").get_text() == "AI in Finance"
    snippet = hit.select_one(".search-result__snippet")
    assert snippet.get_text().startswith("The financial sector, a cornerstone")
    assert snippet.select_one("mark").get_text() == "financial"


def test_stems_phrases_and_exclusions(client, seeded):
    hk, china = seeded["rise-of-ai-in-hong-kong"], seeded["china-ai-revolution-lunar-new-year"]
    assert {title for title, _ in results(client, "innovations")} == {hk.title, china.title}
    assert [title for title, _ in results(client, '"mental health"')] == [china.title]
    assert results(client, '"health mental"') == []
    assert [title for title, _ in results(client, "AI -EmoCare")] == [hk.title]


@pytest.mark.parametrize("query", ["-ai", '-"mental health"', "- -", "***", '"'])
def test_a_query_with_nothing_to_look_for_says_so(client, seeded, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert "Nothing to search for" in response.content.decode()
    assert "articles found" not in response.content.decode()


def test_merged_tags_move_in_the_index(client, make_article):
    from taggit.models import Tag

    from articles.topics import merge_tags

    article = make_article(tags=["Gingko"], sections=[("", "Trees.")])
    make_article(tags=["Ginkgo"])
    merge_tags(Tag.objects.get(name="Ginkgo"), [Tag.objects.get(name="Gingko")])
    assert results(client, "gingko") == []
    assert len(results(client, "ginkgo trees")) == 1 and article.tags.names()[0] == "Ginkgo"


def test_the_index_order_follows_dates_changed_without_a_save(make_article):
    """The admin's bulk publishing uses update(): the database keeps the order."""
    from articles import search
    from articles.models import SearchDocument

    article = make_article(status=Article.Status.DRAFT, published_at=None)
    key = SearchDocument.objects.get(article=article).sort_key
    assert key == search.sort_key(None, article.pk)
    when = timezone.now().replace(microsecond=250_000)
    Article.objects.filter(pk=article.pk).update(published_at=when, status="published")
    assert SearchDocument.objects.get(article=article).sort_key == search.sort_key(when, article.pk)


# Narrowing: topics, dates, language, sort; the page's filters, topics and canonical link.


def page_of(client, query, **params):
    response = client.get(SEARCH, {"q": query, **params})
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def titles(client, query, **params):
    return [title for title, _ in results(client, query, **params)]


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def durians(make_article):
    """Four articles about durians: topics, dates and languages to narrow by."""
    return [
        make_article(title="Durian fintech", tags=["Fintech", "Banks"], published_at=days_ago(40)),
        make_article(title="Durian banks", tags=["Banks"], published_at=days_ago(20)),
        make_article(
            title="Durian health",
            tags=["Healthcare"],
            published_at=days_ago(10),
            sections=[("", "durian durian durian in the body, often")],
        ),
        make_article(
            title="Durian 榴槤", tags=["Banks"], language="zh-Hant-HK", published_at=days_ago(5)
        ),
    ]


def test_topic_filters_narrow_to_articles_with_every_topic(client, durians):
    assert sorted(titles(client, "durian", topic="banks")) == [
        "Durian banks",
        "Durian fintech",
        "Durian 榴槤",
    ]
    assert titles(client, "durian", topic=["banks", "fintech"]) == ["Durian fintech"]


def test_date_filters_keep_the_days_given_in_the_sites_time_zone(client, durians):
    start = timezone.localdate(days_ago(25)).isoformat()
    end = timezone.localdate(days_ago(10)).isoformat()
    assert sorted(titles(client, "durian", **{"from": start, "to": end})) == [
        "Durian banks",
        "Durian health",
    ]
    assert sorted(titles(client, "durian", **{"from": end, "to": start})) == [  # swapped
        "Durian banks",
        "Durian health",
    ]
    assert titles(client, "durian", to=timezone.localdate(days_ago(30)).isoformat()) == [
        "Durian fintech"
    ]


def test_language_filter(client, durians):
    assert titles(client, "durian", lang="zh-Hant-HK") == ["Durian 榴槤"]
    assert len(titles(client, "durian", lang="en")) == 3


def test_sort_by_date_puts_the_newest_first(client, durians):
    assert titles(client, "durian", sort="date") == [
        "Durian 榴槤",
        "Durian health",
        "Durian banks",
        "Durian fintech",
    ]
    assert titles(client, "durian")[0] == "Durian health"  # most durians, best match


def test_filters_apply_before_the_window_of_latest_matches(client, make_article, monkeypatch):
    from articles.search import sql

    monkeypatch.setattr(sql, "WINDOW", 2)
    make_article(title="Rambutan old", tags=["Archive"], published_at=days_ago(100))
    for n in range(3):
        make_article(title=f"Rambutan new {n}", published_at=days_ago(n + 1))
    assert titles(client, "rambutan", topic="archive") == ["Rambutan old"]


def test_result_page_shows_topics_of_matches_and_filters_with_remove_links(client, durians):
    page = page_of(client, "durian")
    topics = {a.get_text(" ", strip=True): a["href"] for a in page.select(".search-topics a")}
    assert topics == {
        "Banks 3": "/search/?q=durian&topic=banks",
        "Fintech 1": "/search/?q=durian&topic=fintech",
        "Healthcare 1": "/search/?q=durian&topic=healthcare",
    }
    page = page_of(client, "durian", topic="fintech", lang="en", sort="date")
    active = {
        li.get_text(" ", strip=True): li.a["href"] for li in page.select(".search-filters li")
    }
    assert active == {
        "Topic: Fintech remove": "/search/?lang=en&q=durian&sort=date",
        "Language: English remove": "/search/?q=durian&sort=date&topic=fintech",
        "Newest first remove": "/search/?lang=en&q=durian&topic=fintech",
    }
    added = {a.get_text(" ", strip=True): a["href"] for a in page.select(".search-topics a")}
    assert added == {"Banks 1": "/search/?lang=en&q=durian&sort=date&topic=banks&topic=fintech"}


def test_filters_have_one_canonical_address_and_one_cache_entry(
    client, durians, django_assert_max_num_queries
):
    canonical = "http://testserver/search/?from=2026-01-01&q=durian&topic=banks&topic=fintech"
    first = client.get(
        SEARCH + "?topic=fintech&q=durian&from=2026-1-1&lang=&to=&sort=&topic=banks&topic=banks"
    )
    page = BeautifulSoup(first.content.decode(), "html.parser")
    assert page.select_one('link[rel="canonical"]')["href"] == canonical
    from articles.cache import normal_query
    from articles.search.filters import read

    filters = read(QueryDict(canonical.split("?")[1]))
    assert filters.url("durian") == SEARCH + "?" + normal_query(SEARCH, canonical.split("?")[1])
    with django_assert_max_num_queries(1):  # the same page, from the cache
        again = client.get(canonical)
    assert again.content == first.content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-13-45"}, "The “from” date is not a date (write YYYY-MM-DD"),
        ({"to": "yesterday"}, "The “to” date is not a date"),
        ({"from": "9" * 5000}, "The “from” date is not a date"),
        ({"from": "2026-02-30", "to": "-1"}, "The “to” date is not a date"),
        ({"topic": "no-such-topic"}, "There is no topic “no-such-topic”; it was left out."),
        ({"topic": "x" * 10_000}, "There is no topic"),
        (
            {"lang": "xx"},
            "The language asked for is not one of the site’s (en, zh-Hant-HK, zh-Hans)",
        ),
        ({"lang": "\x00\x1b"}, "The language asked for is not one"),
        ({"sort": "random"}, None),
        ({"topic": "\x00bad\x1b"}, "There is no topic “bad”"),
        ({"topic": ["\x00", "", " "]}, None),
    ],
)
def test_bad_filters_are_left_out_with_a_message(client, durians, params, message):
    for query in ("durian", "x" * 10_000, "durian\x00\x1b[31m"):
        response = client.get(SEARCH, {"q": query, **params})
        assert response.status_code == 200
        if message:
            assert message in response.content.decode()
    assert len(titles(client, "durian", **params)) == 4


def test_filtered_search_query_count_is_flat(client, make_article, django_assert_num_queries):
    def make(count):
        for n in range(count):
            make_article(title="Mango", tags=["Fruit", f"Kind {n % 3}"])

    make(3)
    # The content version, the topics named (do they exist), the tokens starting
    # "mango", the ranked matches within the filters, their topics, the entries of the
    # page's articles, their sections.
    params = {"q": "mango", "topic": "fruit", "lang": "en", "from": "2000-01-01"}
    with django_assert_num_queries(7):
        client.get(SEARCH, params)
    make(30)
    with django_assert_num_queries(7):
        client.get(SEARCH, {**params, "sort": "date"})


# "Did you mean": the nearest word of the site's own vocabulary.


def test_misspelled_words_suggest_the_sites_own_words(client, make_article):
    make_article(title="Cybersecurity drills", sections=[("", "Banks talk finance daily.")])
    for query, suggested in [
        ("cybersecuirty", "cybersecurity"),
        ("finanace", "finance"),
        ("finanace drils", "finance drills"),
    ]:
        page = page_of(client, query)
        link = page.select_one(".search-suggestion a")
        assert link is not None, query
        assert link.get_text() == suggested
        assert link["href"] == "/search/?" + f"q={suggested.replace(' ', '+')}"
        assert results(client, link.get_text())
    assert page_of(client, "finance").select_one(".search-suggestion") is None


def test_no_suggestion_from_a_draft_or_beyond_two_edits(client, make_article):
    make_article(title="Secret durians", status=Article.Status.DRAFT)
    assert SearchWord.objects.filter(word="secret").exists()
    assert page_of(client, "secrte").select_one(".search-suggestion") is None
    make_article(title="Cybersecurity")
    assert page_of(client, "cyborgsecurityx").select_one(".search-suggestion") is None


# Searches that found nothing: counted per day for Editors, without a write per read.


def test_searches_that_found_nothing_are_counted_per_day(client, make_article):
    make_article(title="Kumquat", published_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    with time_machine.travel(datetime.datetime(2026, 3, 1, 4, tzinfo=datetime.UTC)):
        client.get(SEARCH, {"q": "zzqx nothing"})
        client.get(SEARCH, {"q": "zzqx nothing"})  # from the cache: not counted again
        cache.clear()
        client.get(SEARCH, {"q": "zzqx nothing", "page": "1"})
        client.get(SEARCH, {"q": "  Zzqx   NOTHING "})  # counted as the same query
        client.get(SEARCH, {"q": "kumquat"})  # found: not counted
        client.get(SEARCH, {"q": "kumquat", "to": "2019-01-01"})  # narrowed: not counted
        client.get(SEARCH, {"q": "x" * 10_000})
    with time_machine.travel(datetime.datetime(2026, 3, 2, 4, tzinfo=datetime.UTC)):
        client.get(SEARCH, {"q": "zzqx nothing"})
    rows = list(SearchMiss.objects.order_by("day", "query").values_list("day", "query", "count"))
    assert rows == [
        (datetime.date(2026, 3, 1), "x" * 200, 1),
        (datetime.date(2026, 3, 1), "zzqx nothing", 3),
        (datetime.date(2026, 3, 2), "zzqx nothing", 1),
    ]


def test_counts_older_than_the_retention_are_pruned_on_write(client, db):
    SearchMiss.objects.create(day=datetime.date(2026, 1, 1), query="old", count=5)
    SearchMiss.objects.create(day=datetime.date(2026, 3, 1), query="recent", count=5)
    with time_machine.travel(datetime.datetime(2026, 4, 5, 4, tzinfo=datetime.UTC)):
        client.get(SEARCH, {"q": "zzqx"})
    assert sorted(SearchMiss.objects.values_list("query", flat=True)) == ["recent", "zzqx"]


def test_editors_read_the_searches_that_found_nothing(client, editor, author, db):
    SearchMiss.objects.create(day=datetime.date(2026, 3, 1), query="rare", count=2)
    SearchMiss.objects.create(day=datetime.date(2026, 3, 2), query="frequent", count=9)
    url = reverse("admin:articles_searchmiss_changelist")
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200
    page = BeautifulSoup(response.content.decode(), "html.parser")
    rows = [row.get_text(" ", strip=True) for row in page.select("#result_list tbody tr")]
    assert rows[0].startswith("frequent 9") and rows[1].startswith("rare 2")
    assert "Add search that found nothing" not in response.content.decode()  # read-only
    change = reverse(
        "admin:articles_searchmiss_change", args=[SearchMiss.objects.get(query="rare").pk]
    )
    viewed = client.get(change)
    assert viewed.status_code == 200 and 'name="_save"' not in viewed.content.decode()
    client.force_login(author)
    assert client.get(url).status_code == 403


# Word starts of five letters or more are searched as the tokens they start.


@pytest.mark.parametrize("most", [32, 1])
def test_long_word_starts_find_every_word_they_start(client, make_article, monkeypatch, most):
    from articles.models import SearchToken
    from articles.search import prefixes

    monkeypatch.setattr(prefixes, "MAX_TOKENS", most)  # 1: too many, the prefix is searched
    make_article(title="Regulators meet", sections=[("", "plain")])
    make_article(title="Regulatory sandbox", sections=[("", "plain")])
    make_article(title="Regular checks", sections=[("", "plain")])
    make_article(title="Unrelated", sections=[("", "regime")])
    assert {"regul", "regulatori", "regular"} <= set(
        SearchToken.objects.values_list("token", flat=True)
    )
    assert sorted(titles(client, "regul")) == [
        "Regular checks",
        "Regulators meet",
        "Regulatory sandbox",
    ]
    assert titles(client, "regulatory") == ["Regulatory sandbox"]
    assert titles(client, "regulx") == []


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="PostgreSQL's GIN index",
)
@pytest.mark.django_db
def test_postgresql_search_index_takes_documents_in_without_a_pending_list():
    """With GIN's pending list every search also scanned the documents written since
    the last vacuum, and the planner, counting its pages, read the whole table instead
    (人工智能 at 20,000 articles: 126 ms against 20)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = 'articles_searchdocument_vector'"
        )
        assert "fastupdate=off" in (cursor.fetchone()[0] or [])


def test_a_word_that_starts_no_token_is_not_looked_for_in_the_index(
    make_article, django_assert_num_queries
):
    """Only the tokens it would start are read: PostgreSQL read every document to find
    that nothing holds "regulatoin" (147 ms at 20,000 articles)."""
    from articles.search import backend, narrowing, sql

    make_article(title="Regulation", sections=[("", "regulation of drones")])
    with django_assert_num_queries(1):
        assert sql.ranked(backend(), terms_of("regulatoin drones"), narrowing.Filters()) == (
            [],
            True,
        )
    with django_assert_num_queries(1):
        assert not sql.found_any(backend(), terms_of("regulatoin"), narrowing.Filters())
    # Excluded, it excludes nothing.
    assert sql.ranked(backend(), terms_of("drones -regulatoin"), narrowing.Filters())[0]


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"from": "9999-01-01"}, 0),
        ({"from": "9999-12-31", "to": "9999-12-31"}, 0),
        ({"to": "0001-01-01"}, 0),
        ({"from": "0001-01-01"}, 4),
        ({"to": "9999-12-31"}, 4),
        ({"from": "0001-01-01", "to": "9999-12-31"}, 4),
    ],
)
def test_dates_far_from_any_article_are_still_dates(client, durians, params, found):
    """Years 1 and 9999 are dates: a range beyond every article finds nothing, one
    around them all finds them all (the range once overflowed the index's keys: a 500)."""
    assert len(titles(client, "durian", **params)) == found
    assert len(titles(client, "durian", sort="date", topic="banks", **params)) == min(found, 3)


def test_a_topic_filter_follows_renames_merges_and_the_other_script(
    client, make_article, django_assert_num_queries
):
    """A bookmarked narrowed search keeps its topic after the topic is renamed or merged
    (as the topic's own page does, with a 301), and a topic's slug in the other Chinese
    script names it too; the canonical link then gives the topic's address as it is."""
    from articles.topics import merge_tags

    make_article(title="Durian bank", tags=["Fintech"])
    make_article(title="Durian clinic", tags=["Healthcare", "醫療"])
    make_article(title="Durian farm", tags=["Farming"])
    fintech = Tag.objects.get(name="Fintech")
    fintech.slug = "financial-technology"
    fintech.save()
    merge_tags(Tag.objects.get(name="Healthcare"), [Tag.objects.get(name="Farming")])
    for old, title, slug in [
        ("fintech", ["Durian bank"], "financial-technology"),
        ("farming", ["Durian clinic", "Durian farm"], "healthcare"),
        ("医疗", ["Durian clinic"], "醫療"),
    ]:
        page = page_of(client, "durian", topic=old)
        assert sorted(title for title, _ in results(client, "durian", topic=old)) == title
        assert "There is no topic" not in page.text
        canonical = page.select_one('link[rel="canonical"]')["href"]
        assert QueryDict(canonical.split("?")[1]).getlist("topic") == [slug]
    assert "There is no topic “nothing”" in page_of(client, "durian", topic="nothing").text
    make_article(title="Mango", tags=["Fintech"])
    # As test_filtered_search_query_count_is_flat: no query more when every topic
    # named exists.
    with django_assert_num_queries(7):
        client.get(SEARCH, {"q": "mango", "topic": "financial-technology"})


@pytest.mark.parametrize("prefix", ["/zh-hant", "/zh-hans", ""])
def test_a_search_pages_links_stay_in_its_interface(client, durians, prefix):
    """The canonical link, the filters' add and remove links, the sort link and the
    pages of a search in Chinese lead to the search in Chinese, whichever interface a
    server process happened to make its first search address in."""
    for first in ("/zh-hant", "", prefix):
        client.get(f"{first}/search/", {"q": "durian", "topic": "banks"})
    cache.clear()
    response = client.get(f"{prefix}/search/", {"q": "durian", "topic": "banks"})
    page = BeautifulSoup(response.content.decode(), "html.parser")
    canonical = page.select_one('link[rel="canonical"]')["href"]
    assert canonical == f"http://testserver{prefix}/search/?q=durian&topic=banks"
    links = [a["href"] for a in page.select("main a[href*='search/?']")]
    assert len(links) >= 3  # remove the topic, sort by date, add another topic
    assert all(link.startswith(f"{prefix}/search/?") for link in links), links


@pytest.mark.parametrize("slug", ["it's", "back\\slash'", "$$x$$", "%s%%", "a'); --"])
def test_quotes_in_a_topic_slug_stay_quoted(client, make_article, slug):
    """A topic's slug reaches the search's SQL as a parameter (on PostgreSQL, composed
    into the text that articles_search_matches runs): quotes, backslashes, dollar
    quotes and percent signs stay inside it."""
    make_article(title="Durian odd", tags=["Odd"])
    make_article(title="Durian plain")
    Tag.objects.filter(name="Odd").update(slug=slug)
    assert titles(client, "durian", topic=slug) == ["Durian odd"]
    assert titles(client, '"durian odd" -plain', topic=slug, sort="date") == ["Durian odd"]


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="PostgreSQL chooses between two ways; SQLite has one",
)
@pytest.mark.django_db
def test_postgresql_goes_through_the_index_when_few_documents_match(make_article):
    """articles_search_matches (migration 0026) estimates how many documents its
    condition matches and, under the fraction given, prices the walk out so the
    full-text index answers: a word no article holds goes through the index, a
    condition every document meets walks. (It once estimated every search as matching
    everything, so none went through the index: 58 ms against 8 at 10,000 articles.)"""
    from articles.search import sql

    for n in range(10):  # the estimate is at least one document: under half of them
        make_article(title=f"Durian {n}")
    sql.execute("ANALYZE articles_searchdocument")
    probe = "SELECT 0::bigint, 0::bigint, (current_setting('enable_seqscan') = 'off')::int::real"
    rare = "vector @@ to_tsquery('simple'::regconfig, 'rambutan')"

    def through_the_index(found):
        rows = sql.fetch(
            "SELECT * FROM articles_search_matches(%s, %s, %s::float8, 0)", [probe, found, 0.5]
        )
        return rows[0][2] == 1.0

    assert through_the_index(rare)
    assert not through_the_index("true")


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="PostgreSQL only: SQLite's index reads the newest matches first by itself",
)
@pytest.mark.django_db
def test_postgresql_reads_older_documents_only_when_the_newest_hold_too_few(make_article):
    """Through the index, articles_search_matches (migration 0029) reads first the
    matches among the newest documents that should hold three times the wanted number
    (from the share of the 200 newest that match), and older ones when those are too
    few: the newest matches either way."""
    from articles.search import postgresql, sql
    from articles.search.text import terms_of

    now = timezone.now()
    made = [
        make_article(title=f"Durian {n}", published_at=now - datetime.timedelta(hours=n))
        for n in range(60)
    ]
    sql.execute("ANALYZE articles_searchdocument")
    query, (composed, found, _, wanted) = postgresql.matches(terms_of("durian"), 20)
    assert wanted == 20

    def run(text, wanted):  # everything matches: always through the index
        return sql.fetch(query, [text, found, 2.0, wanted])

    oldest_read = "SELECT $1::bigint, 0::bigint, 0::real"
    keys = sorted(SearchDocument.objects.values_list("sort_key", flat=True), reverse=True)
    assert run(oldest_read, 20)[0][0] < keys[-1]  # 3 x 20 of the 60: all of them
    assert run(oldest_read, 3)[0][0] == keys[30]  # 3 x 3 x 200 / 60: the newest 30
    assert run(oldest_read, 1)[0][0] == keys[10]  # the newest 10: too few, then older
    newest = [article.pk for article in made[:20]]
    for wanted in (20, 3, 1):
        assert [article_id for _, article_id, _ in sorted(run(composed, wanted))[::-1]] == newest


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="PostgreSQL only: SQLite's index reads the newest matches first by itself",
)
@pytest.mark.django_db
def test_postgresql_reads_every_match_when_finding_the_newest_would_cost_more():
    """Where the newest documents that should hold the wanted matches begin is found by
    reading the sort_key index down to there (migration 0029): for a word in 1 document
    of 50, 3 x 501 x 50 entries, which at 100,000 documents took 8.6 ms to spare reading
    its 2,000 matches (1.9 ms). articles_search_matches then reads every match."""
    from articles import search
    from articles.search import postgresql, sql

    now = timezone.now()
    words = {0: "Durian", 5: "Mango"}  # 1 in 50 and 1 in 10 of the documents
    made = Article.objects.bulk_create(
        Article(
            title=f"{words.get(n % 50 if n % 10 == 0 else n % 10, 'Filler')} {n}",
            slug=f"article-{n}",
            status=Article.Status.PUBLISHED,
            published_at=now - datetime.timedelta(hours=n),
        )
        for n in range(400)
    )
    search.index_documents(article.pk for article in made)
    sql.execute("ANALYZE articles_searchdocument")
    keys = sorted(SearchDocument.objects.values_list("sort_key", flat=True), reverse=True)
    oldest_read = "SELECT $1::bigint, 0::bigint, 0::real"

    def oldest_read_for(word):
        query, (_, found, walk_from, wanted) = postgresql.matches(terms_of(word), 1)
        return sql.fetch(query, [oldest_read, found, walk_from, wanted])[0][0]

    # Mango: 20 of the 200 newest, so the newest 3 x 200 / 20 = 30 (30 entries, not 40 rows).
    assert oldest_read_for("mango") == keys[30]
    # Durian: 4 of the 200 newest; the newest 150 would take 150 entries to spare 8 rows.
    assert oldest_read_for("durian") == -(2**63)  # no bound: every match
