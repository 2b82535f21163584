"""SQLite: an FTS5 index (unicode61 tokenizer) over the normalised search entries.

Each query word becomes a prefix phrase ("cyber"* matches "cybersecurity"; the spaced
characters of 香港 match as a phrase). FTS5's bm25 ranks with column weights. The FTS5
table and the triggers that keep it in step are made by migration 0004; migration 0008
adds prefix indexes for 2 to 4 characters, so that a short prefix ("ai"*, "bank"*) reads
one list of entries rather than merging one for every word it expands to.
"""

from . import sql
from .text import CJK, query_form

FTS = "articles_search_fts"
ARTICLE_WEIGHTS = "8.0, 4.0, 3.0, 1.0"  # title, standfirst, heading, body


def match_expression(terms):
    return " AND ".join(phrase(query_form(term)) for term in terms)


def phrase(form):
    """An FTS5 phrase, its last word a prefix ("cyber"*), unless that word is a Chinese
    character: each is a word of its own in the index, and a prefix query costs more
    (it reads every entry before returning one: 8 ms for "香 港"* at 100,000 articles)."""
    quoted = '"{}"'.format(form.replace('"', '""'))
    return quoted if CJK.fullmatch(form[-1:]) else f"{quoted}*"


BEST_OF, BEST_FIRST = "MIN", "b.score"  # bm25: lower is better


def matches(terms, limit):
    """(SQL, params) of the `limit` newest matching entries (FTS5 reads them newest
    first and stops), as (entry_id, article_id, score)."""
    query = (
        f"SELECT rowid AS entry_id, article_id, bm25({FTS}, {ARTICLE_WEIGHTS}) AS score "
        f"FROM {FTS} WHERE {FTS} MATCH %s ORDER BY rowid DESC LIMIT %s"
    )
    return query, [match_expression(terms), limit]


def optimize():
    sql.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
    sql.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")
