"""Full-text search over published articles: one interface, one backend per engine.

    results = search("香港")          # a lazy, paginable sequence of Hit
    index_sections([section, ...])   # after sections change (signals call it)
    index_article(article)           # after title or standfirst change
    rebuild()                        # the whole index (manage.py rebuild_search_index)

Every word of the query must occur in a section or its article's title or standfirst.
English words match from their start (`cyber` finds "cybersecurity"); Chinese matches
anywhere (`香港` finds "香港AI"), in either script (`网络安全` finds "網絡安全").
Matches in the title rank above the standfirst, then headings, then body text; each
article comes once, with its best section, newer articles first on ties. SQLite uses
FTS5, PostgreSQL its full-text search.
"""

import hashlib
import html
import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from .. import cache
from ..models import Article, SearchEntry, SearchIndexState, Section
from . import sql
from .text import MAX_QUERY_LENGTH, normalize, query_form, spellings, terms_of

__all__ = [
    "MAX_QUERY_LENGTH",
    "Hit",
    "search",
    "index_sections",
    "index_article",
    "rebuild",
    "ensure_index",
]

# Change this whenever `entry_fields()` prepares text another way: the next migrate
# rebuilds every entry (see ensure_index).
INDEX_FORMAT = "either-script-1"
PAGE_SIZE = 10  # hits a page, on /search/ and in the API
SNIPPET_LENGTH = 220
HEADING_WEIGHT = 3
BATCH = 2000


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
    """The hits for `terms`, evaluated a page at a time (a sequence for Paginator)."""

    def __init__(self, terms):
        self.terms = terms
        self._ranked = None

    @property
    def key(self):
        return hashlib.sha256("\x1f".join(self.terms).encode()).hexdigest()

    def ranked(self):
        """([matching article ids, best first], complete), once per content version."""
        if self._ranked is None:
            if not self.terms:
                self._ranked = [], True
            else:
                key = f"search:ranked:{self.key}"
                self._ranked = cache.cached(key, lambda: sql.ranked(backend(), self.terms))
        return self._ranked

    def count(self):
        return len(self.ranked()[0])

    @property
    def complete(self):
        """False when more articles match than are ranked (see sql.WINDOW): the results
        are then the best of the newest matches, and count() counts those."""
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
        section_ids = cache.cached(key, lambda: self.best_sections(articles))
        return hits_for(section_ids, self.terms)

    def best_sections(self, articles):
        """Each article's section whose own heading or text holds the query's words most
        often (a heading counts three times), the first one on ties and when only the
        title or standfirst matched; one query, on these articles' entries alone."""
        patterns = [
            re.compile(r"(?<!\w)" + re.escape(query_form(term)), re.IGNORECASE)
            for term in self.terms
        ]
        entries = SearchEntry.objects.filter(article_id__in=articles).order_by(
            "article_id", "section__position", "section_id"
        )
        best = {}
        for article_id, section_id, heading, body in entries.values_list(
            "article_id", "section_id", "heading", "body"
        ):
            score = sum(
                HEADING_WEIGHT * len(p.findall(heading)) + len(p.findall(body)) for p in patterns
            )
            if article_id not in best or score > best[article_id][0]:
                best[article_id] = (score, section_id)
        return [best[article_id][1] for article_id in articles if article_id in best]


def search(query):
    return SearchResults(terms_of(query))


def hits_for(section_ids, terms):
    """Hit objects for these best-matching sections, in order; one query."""
    sections = Section.objects.select_related("article").in_bulk(section_ids)
    # Matches are found in normalised text, as the index finds them, and marked in
    # the text as written, in whichever script it uses.
    forms = [query_form(term) for term in terms]
    spelled = [spelling for term in terms for spelling in spellings(term)]
    hits = []
    for section_id in section_ids:
        section = sections[section_id]
        text = plain_text(section)
        in_section = contains_any(normalize(f"{section.heading}\n{text}"), forms)
        hits.append(Hit(section.article, section, snippet(section, text, spelled), in_section))
    return hits


def contains_any(text, terms):
    folded = text.casefold()
    return any(term.casefold() in folded for term in terms)


def snippet(section, text, terms):
    """A short passage around the first match, escaped, with every match in <mark>."""
    for candidate in (text, section.heading, section.article.standfirst, section.article.title):
        if contains_any(candidate, terms):
            text = candidate
            break
    folded = text.casefold()
    positions = [folded.find(t.casefold()) for t in terms if t.casefold() in folded] or [0]
    start = max(0, min(positions) - SNIPPET_LENGTH // 3)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space > start - 20 else start
    end = min(len(text), start + SNIPPET_LENGTH)
    passage = text[start:end]
    longest_first = sorted(terms, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(t) for t in longest_first), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(passage):
        parts += [escape(passage[last : match.start()]), f"<mark>{escape(match[0])}</mark>"]
        last = match.end()
    parts.append(escape(passage[last:]))
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


def index_sections(sections):
    """Create or refresh the entries of these sections (each with its article loaded)."""
    for section in sections:
        SearchEntry.objects.update_or_create(
            section_id=section.pk, defaults=entry_fields(section.article, section)
        )


def index_article(article):
    """Refresh the article-level text of its entries (title, standfirst) in one UPDATE."""
    SearchEntry.objects.filter(article_id=article.pk).update(
        title=normalize(article.title), standfirst=normalize(article.standfirst)
    )


def rebuild():
    """Recreate every entry from the articles and sections, in one transaction."""
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        sections = Section.objects.select_related("article").order_by("pk").iterator(BATCH)
        batch = []
        for section in sections:
            batch.append(
                SearchEntry(section_id=section.pk, **entry_fields(section.article, section))
            )
            if len(batch) >= BATCH:
                SearchEntry.objects.bulk_create(batch)
                batch = []
        SearchEntry.objects.bulk_create(batch)
        backend().optimize()
        SearchIndexState.objects.all().delete()
        SearchIndexState.objects.create(format=INDEX_FORMAT)
    return SearchEntry.objects.count()


def ensure_index():
    """Rebuild the index when it was made another way (or never): after migrations.
    Returns the number of entries written, or None when the index was up to date."""
    if SearchIndexState.objects.filter(format=INDEX_FORMAT).exists():
        return None
    return rebuild()
