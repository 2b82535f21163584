"""Full-text search over published articles: one interface, one backend per engine.

    results = search('香港 "mental health" -crypto')  # a lazy, paginable sequence of Hit
    index_sections([section, ...])   # after sections change (signals call it)
    index_article(article)           # after title, standfirst, date or tags change
    rebuild()                        # the whole index (manage.py rebuild_search_index)

Every word of the query must occur somewhere in the article: title, standfirst, any
heading or section, or its tags (text.Term says how words, phrases and exclusions
match). Each article has one search document holding all of it, in the tokens both
engines index alike (text.py); each section keeps its own entry, to pick the section a
hit links to. Matches in the title rank above the standfirst and tags, then headings,
then body text; newer articles first on ties. SQLite uses FTS5, PostgreSQL its
full-text search.
"""

import functools
import hashlib
import html
import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .. import cache
from ..models import (
    Article,
    SearchDocument,
    SearchEntry,
    SearchIndexState,
    SearchToken,
    SearchWord,
    Section,
    TaggedArticle,
)
from . import filters as narrowing
from . import misses, prefixes, spelling, sql
from .text import (
    CJK_RUN,
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    WORD,
    fold,
    normalize,
    spellings,
    stem,
    terms_of,
)
from .text import links as text_links

__all__ = [
    "MAX_QUERY_LENGTH",
    "Hit",
    "search",
    "index_sections",
    "index_article",
    "index_documents",
    "index_tag",
    "rebuild",
    "ensure_index",
    "read_filters",
    "page_context",
]

read_filters = narrowing.read

# Change this whenever `entry_fields()` or `document_fields()` prepare text another way:
# the next migrate rebuilds every entry and document (see ensure_index).
# What `rebuild()` writes: the index exists where all these tables do.
INDEX_MODELS = (SearchEntry, SearchDocument, SearchWord, SearchToken, SearchIndexState)
INDEX_FORMAT = "documents-2"  # 2: with the vocabulary of "Did you mean" and SearchToken
LINKED_FORMAT = "-links"  # PostgreSQL's documents also hold their links (migration 0026)
PAGE_SIZE = 10  # hits a page, on /search/ and in the API
SNIPPET_LENGTH = 220
HEADING_WEIGHT = 3
BATCH = 2000
# SearchDocument.sort_key: publication time in seconds, then the article id below it
# (articles/triggers.py keeps it when a date changes without a save).
KEY_SPAN, UNPUBLISHED_SECONDS = 2**30, -(2**32)


@dataclass
class Hit:
    article: Article
    section: Section
    snippet: str
    in_section: bool  # False when only the title or standfirst matched

    @property
    def url(self):
        if not self.in_section:
            return self.article.get_absolute_url()
        return f"{self.article.get_absolute_url()}#{self.section.anchor}"


def backend():
    if connection.vendor == "postgresql":
        from . import postgresql

        return postgresql
    from . import sqlite

    return sqlite


class SearchResults:
    """The hits for `terms` within `filters` (search/filters.py), evaluated a page at a
    time (a sequence for Paginator)."""

    TOPICS = 12  # topics of the matches shown, the most frequent first

    def __init__(self, terms, filters=None, query=""):
        self.terms = terms
        self.filters = filters or narrowing.Filters()
        self.query = query  # as typed: what a search that found nothing is counted as
        self.wanted = [term for term in terms if not term.exclude]
        self._ranked = None

    @property
    def key(self):
        parts = [f"{t.exclude:d}{t.phrase:d}{t.text}" for t in self.terms]
        parts.append(self.filters.key)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    @property
    def left_out(self):
        """The terms of the query past MAX_TERMS, as typed: not searched (the page says so)."""
        return [
            ("-" if term.exclude else "") + (f'"{term.text}"' if term.phrase else term.text)
            for term in terms_of(self.query, limit=None)[MAX_TERMS:]
        ]

    @property
    def nothing_to_search(self):
        """True when the query holds no word to look for (only exclusions, or only
        punctuation): the page says so rather than listing nothing."""
        return not self.wanted

    def ranked(self):
        """([matching article ids, best first], complete), once per content version."""
        if self._ranked is None:
            if not self.wanted:
                self._ranked = [], True
            else:
                key = f"search:ranked:{self.key}"
                self._ranked = cache.cached(key, self.rank, cache.SEARCH_TIMEOUT)
        return self._ranked

    def rank(self):
        """The ranking, computed (not from the cache): a search that found nothing
        is counted here (see search/misses.py); a narrowed one is not, as its words
        may well be found without the filters."""
        found = sql.ranked(backend(), self.terms, self.filters, published_keys())
        if not found[0] and self.query and not self.filters.narrowing:
            misses.record(self.query)
        return found

    def topics(self):
        """[(slug, name, count)] of the topics of the ranked matches, the most frequent
        first (then by name); one query, once per content version."""
        articles = self.ranked()[0]
        if not articles:
            return []

        return cache.cached(
            f"search:topics:{self.key}",
            lambda: sql.topic_counts(backend(), articles, self.TOPICS),
            cache.SEARCH_TIMEOUT,
        )

    def suggestion(self, query):
        """ "Did you mean": `query` with its misspelled words corrected (search/spelling.py),
        when this search found nothing and the corrected one finds something; else None."""
        if self.nothing_to_search or self.count():
            return None

        def suggest():
            fixes = spelling.corrections(self.wanted)
            if not fixes:
                return ""
            first, *others = fixes
            for candidate in fixes[first]:
                text = spelling.corrected(query, first, candidate)
                for word in others:
                    text = spelling.corrected(text, word, fixes[word][0])
                if sql.found_any(backend(), terms_of(text), self.filters):
                    return text
            return ""

        return cache.cached(f"search:suggest:{self.key}", suggest, cache.SEARCH_TIMEOUT) or None

    def count(self):
        return len(self.ranked()[0])

    @property
    def complete(self):
        """False when more articles match than are ranked (see sql.WINDOW): the results
        are then the best of the latest published matches, and count() counts those."""
        return self.ranked()[1]

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start = index.start or 0
        stop = index.stop if index.stop is not None else start + 100
        articles = self.ranked()[0][start:stop]
        if not articles:
            return []
        key = f"search:page:{self.key}:{start}:{stop}"
        best = cache.cached(key, lambda: self.best_sections(articles), cache.SEARCH_TIMEOUT)
        return hits_for(best, self.wanted)

    def best_sections(self, articles):
        """[(section id, whether it holds any of the words)] for each article: the
        section holding the most of the query's words (one in its heading counts
        HEADING_WEIGHT times), then the one holding them most often, then the first;
        one query, on these articles' entries alone."""
        entries = SearchEntry.objects.filter(article_id__in=articles).order_by(
            "article_id", "section__position", "section_id"
        )
        best = {}
        for article_id, section_id, heading, body in entries.values_list(
            "article_id", "section_id", "heading", "body"
        ):
            held = [(term.found_in(heading), term.found_in(body)) for term in self.wanted]
            score = (
                sum(HEADING_WEIGHT * bool(h) + bool(b) for h, b in held),
                sum(HEADING_WEIGHT * h + b for h, b in held),
            )
            if article_id not in best or score > best[article_id][0]:
                best[article_id] = (score, section_id)
        return [
            (best[article_id][1], best[article_id][0][0] > 0)
            for article_id in articles
            if article_id in best
        ]


def search(query, filters=None):
    return SearchResults(terms_of(query), filters, query)


def page_context(results, query, filters):
    """What the result page shows besides the hits: the filters in force (each with
    the address that removes it), what was left out of them and why, the topics of the
    matches (each with its count and the address that adds it), the other sort order's
    address, and "Did you mean" when nothing was found."""
    active = {slug for slug, _ in filters.topics}
    matched_topics = []
    if not results.nothing_to_search and results.count():
        matched_topics = [
            (name, count, filters.url(query, add=("topic", slug)))
            for slug, name, count in results.topics()
            if slug not in active
        ]
    suggestion = results.suggestion(query)
    other_sort = ("sort", "date") if filters.sort != "date" else None
    return {
        "active_filters": filters.active(query),
        "filter_problems": filters.problems,
        "left_out": ", ".join(f"“{text}”" for text in results.left_out),
        "max_terms": MAX_TERMS,
        "matched_topics": matched_topics,
        "sorted_by_date": filters.sort == "date",
        "sort_url": filters.url(query, add=other_sort, drop=("sort", "date")),
        "suggestion": suggestion,
        "suggestion_url": filters.url(suggestion) if suggestion else "",
        "filters": filters,
        "languages": [(code, _(name)) for code, name in narrowing.LANGUAGES.items()],
    }


def hits_for(best, terms):
    """Hit objects for these best-matching sections, in order; one query."""
    sections = Section.objects.select_related("article__lead_image").in_bulk([pk for pk, _ in best])
    marks = Marker(terms)
    hits = []
    for section_id, in_section in best:
        section = sections[section_id]
        hits.append(Hit(section.article, section, snippet(section, marks), in_section))
    return hits


class Marker:
    """Where the terms occur in text as written (either script, any form of a word):
    English words by their stems, Chinese by its spellings in either script."""

    def __init__(self, terms):
        self.prefixes, self.words, chinese = set(), set(), set()
        for term in terms:
            for match in WORD.finditer(fold(term.text)):
                token = stem(match[0])
                exact = term.phrase or len(match[0]) == 1
                (self.words if exact else self.prefixes).add(token)
            for run in CJK_RUN.findall(term.text):
                chinese.update(spellings(run))
        longest_first = sorted(chinese, key=len, reverse=True)
        self.chinese = re.compile("|".join(map(re.escape, longest_first))) if chinese else None

    def matches(self, word):
        token = word_token(word)
        return token in self.words or any(token.startswith(p) for p in self.prefixes)

    def matched_words(self, text, start, end):
        """The matching words of text[start:end], in order. A query of Chinese alone has
        none to look for: ten snippets of "香港 人工智能" took 2.0-2.4 ms reading every
        English word of their sections, and take 0.45-0.63 ms without."""
        if not (self.words or self.prefixes):
            return
        yield from (m for m in WORD.finditer(text, start, end) if self.matches(m[0]))

    def spans(self, text, start=0, end=None):
        """The (start, end) of every match in text[start:end], in order."""
        end = len(text) if end is None else end
        found = [m.span() for m in self.matched_words(text, start, end)]
        if self.chinese:
            found += [match.span() for match in self.chinese.finditer(text, start, end)]
        return sorted(found)

    def first(self, text):
        """Where the first match in text starts, or None."""
        word = next((m.start() for m in self.matched_words(text, 0, len(text))), None)
        chinese = self.chinese.search(text) if self.chinese else None
        found = [at for at in (word, chinese and chinese.start()) if at is not None]
        return min(found) if found else None


@functools.lru_cache(maxsize=100_000)
def word_token(word):
    return stem(fold(word))


def snippet(section, marks):
    """A short passage of the section's text around its first match, escaped, with
    every match in <mark>; the start of the text when only its heading matched; the
    standfirst or title when the section has no text or they alone matched."""
    text = plain_text(section)
    first = marks.first(text)
    if first is None and marks.first(section.heading) is None:
        for other in (section.article.standfirst, section.article.title):
            if marks.first(other) is not None:
                text, first = other, marks.first(other)
                break
    if not text:
        text = section.heading or section.article.standfirst
        first = marks.first(text)
    start = max(0, first - SNIPPET_LENGTH // 3) if first else 0
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space > start - 20 else start
    end = min(len(text), start + SNIPPET_LENGTH)
    parts, last = [], start
    for mark_start, mark_end in marks.spans(text, start, end):
        if mark_start < last:
            continue
        parts += [
            escape(text[last:mark_start]),
            f"<mark>{escape(text[mark_start:mark_end])}</mark>",
        ]
        last = mark_end
    parts.append(escape(text[last:end]))
    return mark_safe(("…" if start else "") + "".join(parts) + ("…" if end < len(text) else ""))


def plain_text(section):
    """The section's text as readers see it: no tags, and no entities (an "&" in the
    text is "&amp;" in its HTML)."""
    return html.unescape(strip_tags(section.body_html)).strip()


def entry_fields(article, section):
    """What a section's SearchEntry holds: normalised text (also for bulk writers)."""
    return {
        "article_id": article.pk,
        "title": normalize(article.title),
        "standfirst": normalize(article.standfirst),
        "heading": normalize(section.heading),
        "body": normalize(plain_text(section)),
    }


def published_keys(now=None):
    """(lowest, highest + 1) of the sort keys a published article can have: not a draft's
    and not one scheduled for later, which would otherwise take places in the window of
    the latest matches (sql.WINDOW). Whether it has expired is for the articles' rule."""
    seconds = int((now or timezone.now()).timestamp())
    return (UNPUBLISHED_SECONDS + 1) * KEY_SPAN, (seconds + 1) * KEY_SPAN


def sort_key(published_at, article_id):
    """SearchDocument.sort_key: documents in order of publication (then of id), so the
    index reads the latest published first; an unpublished article sorts first of all."""
    seconds = int(published_at.timestamp()) if published_at else UNPUBLISHED_SECONDS
    return seconds * KEY_SPAN + article_id


def document_fields(article, entries, tag_names):
    """What an article's SearchDocument holds (also for bulk writers): its normalised
    title and standfirst, its sections' entries' headings and text, its tags."""
    fields = {
        "article_id": article.pk,
        "sort_key": sort_key(article.published_at, article.pk),
        "title": normalize(article.title),
        "standfirst": normalize(article.standfirst),
        "headings": " ".join(entry.heading for entry in entries if entry.heading),
        "body": " ".join(entry.body for entry in entries if entry.body),
        "tags": normalize(" ".join(tag_names)),
    }
    # PostgreSQL finds quoted phrases by these (search/postgresql.py); FTS5 reads
    # positions fast enough, so SQLite leaves them out (the column stays empty).
    links = None
    if connection.vendor == "postgresql":
        held = (
            fields[name].split() for name in ("title", "standfirst", "headings", "body", "tags")
        )
        links = "\n".join(sorted({link for tokens in held for link in text_links(tokens)}))
    return {**fields, "links": links}


def index_documents(article_ids):
    """Write the search documents of these articles afresh, and add the words of their
    titles, standfirsts and tags to the vocabulary; four queries and the writes."""
    article_ids = list(article_ids)
    articles = Article.objects.only("title", "standfirst", "published_at").in_bulk(article_ids)
    entries, tags = {}, {}
    for entry in SearchEntry.objects.filter(article_id__in=articles).order_by(
        "article_id", "section__position", "section_id"
    ):
        entries.setdefault(entry.article_id, []).append(entry)
    for article_id, name in TaggedArticle.objects.filter(
        content_object_id__in=articles
    ).values_list("content_object_id", "tag__name"):
        tags.setdefault(article_id, []).append(name)
    texts = [text for article in articles.values() for text in (article.title, article.standfirst)]
    spelling.remember(
        spelling.words_of(texts + [name for names in tags.values() for name in names])
    )
    documents = [
        document_fields(article, entries.get(pk, []), sorted(tags.get(pk, [])))
        for pk, article in articles.items()
    ]
    prefixes.remember(prefixes.tokens_of(documents))
    SearchDocument.objects.filter(article_id__in=article_ids).delete()
    SearchDocument.objects.bulk_create(SearchDocument(**fields) for fields in documents)


def index_sections(sections):
    """Create or refresh the entries of these sections (each with its article loaded)."""
    words = set()
    for section in sections:
        SearchEntry.objects.update_or_create(
            section_id=section.pk, defaults=entry_fields(section.article, section)
        )
        words |= spelling.words_of([section.heading, plain_text(section)])
    spelling.remember(words)
    index_documents({section.article_id for section in sections})


def index_article(article):
    """Refresh the article-level text of its entries (title, standfirst) in one UPDATE,
    and its document."""
    SearchEntry.objects.filter(article_id=article.pk).update(
        title=normalize(article.title), standfirst=normalize(article.standfirst)
    )
    index_documents([article.pk])


def index_tag(tag_id):
    """Refresh the documents of the articles with this tag (renamed, merged)."""
    ids = TaggedArticle.objects.filter(tag_id=tag_id).values_list("content_object_id", flat=True)
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        index_documents(ids[start : start + BATCH])


def rebuild():
    """Recreate every entry and document from the articles and sections, in one
    transaction; returns the number of sections indexed."""
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        SearchDocument.objects.all().delete()
        SearchWord.objects.all().delete()
        SearchToken.objects.all().delete()
        sections = Section.objects.select_related("article").order_by("pk").iterator(BATCH)
        batch, words = [], set()
        for section in sections:
            fields = entry_fields(section.article, section)
            batch.append(SearchEntry(section_id=section.pk, **fields))
            words |= spelling.words_of([section.heading, plain_text(section)])
            if len(batch) >= BATCH:
                SearchEntry.objects.bulk_create(batch)
                batch = []
        SearchEntry.objects.bulk_create(batch)
        spelling.remember(words)
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH // 4):
            index_documents(ids[start : start + BATCH // 4])
        backend().optimize()
        SearchIndexState.objects.all().delete()
        SearchIndexState.objects.create(format=index_format())
    return SearchEntry.objects.count()


def index_format():
    return INDEX_FORMAT + (LINKED_FORMAT if connection.vendor == "postgresql" else "")


def ensure_index():
    """Rebuild the index when it was made another way (or never): after migrations.
    Returns the number of entries written, or None when the index was up to date."""
    if SearchIndexState.objects.filter(format=index_format()).exists():
        return None
    return rebuild()
