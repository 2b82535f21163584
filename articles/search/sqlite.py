"""SQLite: an FTS5 index over each article's search document (migration 0011).

The document already holds the tokens (text.py): FTS5's unicode61 tokenizer only splits
them at spaces. Rows are kept in order of publication (SearchDocument.sort_key is the rowid),
so FTS5 reads the newest matches first and stops at the window. Prefix indexes for 2 to
4 characters let a short prefix ("ai"*, "bank"*) read one list of documents rather than
merging one for every word it expands to. bm25 ranks with column weights.
"""

from . import prefixes, sql

FTS = "articles_search_fts"
ARTICLE_WEIGHTS = "8.0, 4.0, 3.0, 1.0, 4.0"  # title, standfirst, headings, body, tags
# Prefixes searched as the tokens they start from this length (search/prefixes.py):
# shorter ones have FTS5 prefix indexes.
EXPANDED_FROM = prefixes.SHORTEST
# The article id is the low bits of the rowid (search.sort_key): no lookup per match.
ARTICLE_BITS = 2**30 - 1


def quoted(tokens):
    return '"{}"'.format(" ".join(tokens).replace('"', '""'))


def piece(token, prefix, expanded):
    """A token, or a prefix: as the whole tokens it starts when looked up (prefixes.py;
    none: the prefix itself, which then finds nothing)."""
    if not prefix:
        return quoted([token])
    if expanded.get(token):
        return "(" + " OR ".join(quoted([t]) for t in expanded[token]) + ")"
    return quoted([token]) + "*"


def term_expression(term, expanded=None):
    if term.phrase:
        return "(" + " OR ".join(quoted(variant) for variant in term.variants) + ")"
    pieces = [piece(token, prefix, expanded or {}) for token, prefix in term.pieces]
    return "(" + " AND ".join(pieces) + ")"


def match_expression(terms, expanded=None):
    """An FTS5 query: every wanted term, NOT each excluded one. Every token is quoted,
    so nothing a reader types is FTS5 syntax (NEAR, AND, *, ^, column filters)."""
    wanted = " AND ".join(term_expression(t, expanded) for t in terms if not t.exclude)
    return " NOT ".join([wanted, *(term_expression(t, expanded) for t in terms if t.exclude)])


BEST_FIRST = "w.score"  # bm25: lower is better


ORDER = " ORDER BY rowid DESC"  # newest first (unordered: any match)
# How a match's article id and sort key are written in matches() (for the filters).
ARTICLE_ID, SORT_KEY = f"({FTS}.rowid & {ARTICLE_BITS})", f"{FTS}.rowid"
APART = ""  # a filter's subquery is tested on each match in turn as it is


def matches(
    terms, limit, where="", where_params=(), scored=True, ordered=True, expanded=None, keys=None
):
    """(SQL, params) of the `limit` newest matching documents (FTS5 reads them newest
    first and stops) that also meet `where` and whose sort keys are within `keys` (lowest,
    highest + 1), as (sort_key, article_id, score). A date range is a range of rowids,
    which FTS5 seeks to. Unscored, no score is worked out: bm25 first counts every
    document holding each term (the whole index), 15-25 ms of a common word's 20-30 ms
    at 100,000 articles."""
    if keys:
        where = " AND ".join([*([where] if where else []), "rowid >= %s AND rowid < %s"])
        where_params = [*where_params, *keys]
    also = f" AND {where}" if where else ""
    order = ORDER if ordered else ""
    score = f"bm25({FTS}, {ARTICLE_WEIGHTS})" if scored else "0"
    query = (
        f"SELECT rowid AS sort_key, rowid & {ARTICLE_BITS} AS article_id, "
        f"{score} AS score "
        f"FROM {FTS} WHERE {FTS} MATCH %s{also}{order} LIMIT %s"
    )
    return query, [match_expression(terms, expanded), *where_params, limit]


def ids_in(column, ids):
    """(SQL, params): `column` is one of these ids."""
    ids = list(ids)
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids


def optimize():
    sql.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
    sql.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")


def articles_of(article_id, published):
    """The join of the ranked matches to their published articles `a`: CROSS JOIN keeps
    SQLite's join order, the few matches first, then their articles."""
    return f"CROSS JOIN articles_article a WHERE a.id = {article_id} AND {published}"
