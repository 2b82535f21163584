"""Full-text search over published articles: one interface, one backend per engine.

    results = search("香港")          # a lazy, paginable sequence of Hit
    index_sections([section, ...])   # after sections change (signals call it)
    index_article(article)           # after title or standfirst change
    rebuild()                        # the whole index (manage.py rebuild_search_index)

Both backends match substrings (so `cyber` finds "cybersecurity" and `香港` finds
"香港AI"), rank every matching section by where the words occur (title 8, standfirst 4,
heading 3, body 1 for each word; newer first on ties) and return each article once,
with its best section.
"""

import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from ..models import Article, SearchEntry, Section
from . import sql

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
SNIPPET_LENGTH = 220


@dataclass
class Hit:
    article: Article
    section: Section
    rank: int
    snippet: str
    in_section: bool  # False when only the title or standfirst matched

    @property
    def url(self):
        if not self.in_section:
            return self.article.get_absolute_url()
        return f"{self.article.get_absolute_url()}#{self.section.anchor}"


def terms_of(query):
    """The words of a query: whitespace-separated; quotes, FTS syntax and control
    characters (which PostgreSQL text cannot hold) dropped."""
    words = re.sub(r'["*()^:{}\[\]+\x00-\x1f\x7f]', " ", query[:MAX_QUERY_LENGTH]).split()
    unique = []
    for word in words:
        if word.casefold() not in {w.casefold() for w in unique}:
            unique.append(word)
    return unique[:MAX_TERMS]


def backend():
    if connection.vendor == "postgresql":
        from . import postgresql

        return postgresql
    from . import sqlite

    return sqlite


class SearchResults:
    """A sequence over the hits for `terms`, evaluated a page at a time (for Paginator)."""

    def __init__(self, terms):
        self.terms = terms
        self._count = None

    def count(self):
        if self._count is None:
            self._count = sql.count(backend().hits(self.terms)) if self.terms else 0
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if not self.terms or stop is not None and stop <= start:
            return []
        limit = (stop if stop is not None else start + 100) - start
        rows = sql.page(backend().hits(self.terms), offset=start, limit=limit)
        return hits_for(rows, self.terms)


def search(query):
    return SearchResults(terms_of(query))


def hits_for(rows, terms):
    """Hit objects for (article_id, section_id, rank) rows, in one query."""
    entries = SearchEntry.objects.select_related("article", "section").in_bulk(
        [section_id for _, section_id, _ in rows], field_name="section_id"
    )
    hits = []
    for _, section_id, rank in rows:
        entry = entries[section_id]
        text = f"{entry.heading}\n{entry.body}".casefold()
        in_section = any(term.casefold() in text for term in terms)
        hits.append(Hit(entry.article, entry.section, rank, snippet(entry, terms), in_section))
    return hits


def snippet(entry, terms):
    """A short passage around the first match, escaped, with every match in <mark>."""
    folded_terms = [t.casefold() for t in terms]
    for text in (entry.body, entry.heading, entry.standfirst, entry.title):
        folded = text.casefold()
        positions = [folded.find(t) for t in folded_terms if t in folded]
        if positions:
            break
    else:
        text, positions = entry.body or entry.title, [0]
    first = min(positions)
    start = max(0, first - SNIPPET_LENGTH // 3)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space > start - 20 else start
    end = min(len(text), start + SNIPPET_LENGTH)
    passage = text[start:end]
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(passage):
        parts += [escape(passage[last : match.start()]), f"<mark>{escape(match[0])}</mark>"]
        last = match.end()
    parts.append(escape(passage[last:]))
    return mark_safe(("…" if start else "") + "".join(parts) + ("…" if end < len(text) else ""))


def plain_text(section):
    return strip_tags(section.body_html).strip()


def _entry_fields(article, section):
    return {
        "article_id": article.pk,
        "title": article.title,
        "standfirst": article.standfirst,
        "heading": section.heading,
        "body": plain_text(section),
    }


def index_sections(sections):
    """Create or refresh the entries of these sections (each with its article loaded)."""
    for section in sections:
        SearchEntry.objects.update_or_create(
            section_id=section.pk, defaults=_entry_fields(section.article, section)
        )


def index_article(article):
    """Refresh the article-level text of its entries (title, standfirst) in one UPDATE."""
    SearchEntry.objects.filter(article_id=article.pk).update(
        title=article.title, standfirst=article.standfirst
    )


def rebuild(batch_size=2000):
    """Recreate every entry from the articles and sections, in one transaction."""
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        sections = Section.objects.select_related("article").order_by("pk").iterator(batch_size)
        batch = []
        for section in sections:
            batch.append(
                SearchEntry(section_id=section.pk, **_entry_fields(section.article, section))
            )
            if len(batch) >= batch_size:
                SearchEntry.objects.bulk_create(batch)
                batch = []
        SearchEntry.objects.bulk_create(batch)
        backend().optimize()
    return SearchEntry.objects.count()
