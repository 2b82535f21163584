"""PostgreSQL: full-text search on each article's search document (migration 0011).

The document already holds the tokens (text.py), so the stored, weighted tsvector is
made with the "simple" configuration (no stemming or stop words of its own) and holds
exactly what SQLite's index holds. A GIN index finds the documents; ts_rank weighs title
(A) above standfirst and tags (B), headings (C) and body text (D).
"""

from django.db import connection

from . import sql

ARTICLE_WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"  # D body, C headings, B standfirst/tags, A title
# Every prefix (words of 2 characters or more) is searched as the lexemes it starts
# when they are few (search/prefixes.py): the planner prices a GIN prefix lookup
# (`'bank':*`) above reading the whole table, and read it: "bank -fintech" at 20,000
# articles took 104 ms as a sequential scan, 8 ms through the index as `'bank'`.
EXPANDED_FROM = 2


def lexeme(token):
    return "'{}'".format(token.replace("'", "''").replace("\\", "\\\\"))


def piece(token, prefix, expanded):
    """A lexeme, or a prefix: as the whole lexemes it starts when looked up (prefixes.py;
    none: a prefix of itself, which no token starts)."""
    if not prefix:
        return lexeme(token)
    if expanded.get(token):
        return "(" + " | ".join(lexeme(t) for t in expanded[token]) + ")"
    return lexeme(token) + ":*"


def term_query(term, expanded=None):
    if term.phrase:
        variants = [" <-> ".join(lexeme(t) for t in variant) for variant in term.variants]
        return "(" + " | ".join(f"({v})" for v in variants) + ")"
    pieces = [piece(token, prefix, expanded or {}) for token, prefix in term.pieces]
    return "(" + " & ".join(pieces) + ")"


def tsquery(terms, expanded=None):
    """A to_tsquery() string: every wanted term, and not each excluded one."""
    parts = [term_query(t, expanded) for t in terms if not t.exclude]
    parts += [f"!{term_query(t, expanded)}" for t in terms if t.exclude]
    return " & ".join(parts)


# Under this fraction of documents matching, matches are found through the index (see
# matches()): the walk reads about limit / fraction vectors, the index all the matches.
WALK_FROM = 0.2
BEST_FIRST = "w.score DESC"  # ts_rank: higher is better


ORDER = " ORDER BY sort_key DESC"  # newest first (unordered: any match)
# How a match's article id and sort key are written in matches() (for the filters).
ARTICLE_ID, SORT_KEY = f"{sql.DOCUMENT}.article_id", f"{sql.DOCUMENT}.sort_key"


def matches(terms, limit, where="", where_params=(), scored=True, ordered=True, expanded=None):
    """(SQL, params) of the `limit` newest matching documents that also meet `where`, as
    (sort_key, article_id, score). Scored after the limit: the rank reads each
    document's whole vector.

    The documents are found one of two ways (articles_search_matches, migration 0026):
    when the planner expects fewer than WALK_FROM of them to match, through the
    full-text index alone (every match, then the newest); otherwise by walking the
    documents newest first, testing each one's vector, until `limit` match. Left to
    itself the planner always walks, as its cost model does not count reading the
    vectors. At 100,000 articles (p50, ms, walk against index): 香港 47 / 28,
    "bank -fintech" 120 / 23, "香港 fintech" 14 / 9, "regulation" 10 / 86, "model" 5 / 27.
    """
    query, params = _matches(terms, limit, where, where_params, scored, ordered, expanded)
    words = tsquery(terms, expanded)
    inlined = connection.ops.compose_sql(query, params)
    return (
        "SELECT * FROM articles_search_matches("
        "%s, to_tsquery('simple'::regconfig, %s), %s::float8)",
        [inlined, words, WALK_FROM],
    )


def _matches(terms, limit, where, where_params, scored, ordered, expanded):
    also = f" AND {where}" if where else ""
    order = ORDER if ordered else ""
    score = f"ts_rank('{ARTICLE_WEIGHTS}'::float4[], d.vector, q.query)" if scored else "0::real"
    query = (
        "SELECT d.sort_key, d.article_id, "
        f"{score} AS score FROM ("
        f"SELECT sort_key, article_id, vector FROM {sql.DOCUMENT} "
        f"WHERE vector @@ to_tsquery('simple'::regconfig, %s){also} "
        f"{order} LIMIT %s) d, to_tsquery('simple'::regconfig, %s) q(query)"
    )
    return query, [tsquery(terms, expanded), *where_params, limit, tsquery(terms, expanded)]


def articles_of(article_id, published):
    """The join of the ranked matches to their published articles `a`: one primary key
    lookup per match (OFFSET 0 keeps the subquery from being flattened). As a plain join
    the planner hashed every published article first: 4-12 ms at 20,000 articles and
    growing with them, against 1 ms for the 500 lookups."""
    return (
        "CROSS JOIN LATERAL (SELECT a.id, a.published_at FROM articles_article a "
        f"WHERE a.id = {article_id} AND {published} OFFSET 0) a"
    )


def optimize():
    sql.execute(f"ANALYZE {sql.DOCUMENT}")
