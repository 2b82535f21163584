"""PostgreSQL: full-text search on a stored, weighted tsvector with a GIN index.

The vector is a generated column over the normalised entry (migration 0004), so each
Chinese character is a lexeme and 香港 matches as a phrase; English words are stemmed
and matched by prefix ("cyber" finds "cybersecurity", "regulations" "regulation").
ts_rank weighs title (A) above standfirst (B), headings (C) and body text (D).
"""

import re

from . import sql
from .text import query_form

ARTICLE_WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"  # D body, C heading, B standfirst, A title
WORD = re.compile(r"\w+")


def rank(weights):
    return f"ts_rank('{weights}'::float4[], e.vector, q.query)"


def tsquery(terms):
    """A to_tsquery() string: each term a phrase of its words, the last one a prefix."""
    phrases = []
    for term in terms:
        words = WORD.findall(query_form(term))
        if words:
            phrases.append("(" + " <-> ".join(f"'{word}'" for word in words) + ":*)")
    return " & ".join(phrases)


BEST_FIRST = "b.score DESC"  # ts_rank: higher is better


def newest(terms, limit):
    """(SQL, params) of the `limit` newest matching entries, unscored."""
    query = (
        f"SELECT 1 FROM {sql.ENTRY} WHERE vector @@ to_tsquery('english'::regconfig, %s) "
        "ORDER BY id DESC LIMIT %s"
    )
    return query, [tsquery(terms), limit]


def per_article(terms, window):
    """(SQL, params) of each matching published article with its best score, among the
    `window` newest matching entries; None when the terms hold no searchable word."""
    if not tsquery(terms):
        return None
    query = (
        f"SELECT e.article_id, MAX({rank(ARTICLE_WEIGHTS)}) AS score FROM ("
        f"SELECT article_id, vector FROM {sql.ENTRY} "
        "WHERE vector @@ to_tsquery('english'::regconfig, %s) ORDER BY id DESC LIMIT %s) e, "
        "to_tsquery('english'::regconfig, %s) q(query) GROUP BY e.article_id"
    )
    return query, [tsquery(terms), window, tsquery(terms)]


def optimize():
    sql.execute(f"ANALYZE {sql.ENTRY}")
