"""PostgreSQL: full-text search on a stored, weighted tsvector with a GIN index.

The vector is a generated column over the normalised entry (migration 0004), so each
Chinese character is a lexeme and 香港 matches as a phrase; English words are stemmed
and matched by prefix ("cyber" finds "cybersecurity", "regulations" "regulation").
ts_rank weighs title (A) above standfirst (B), headings (C) and body text (D).
"""

import re

from . import sql
from .text import CJK, query_form

ARTICLE_WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"  # D body, C heading, B standfirst, A title
WORD = re.compile(r"\w+")


def rank(weights):
    return f"ts_rank('{weights}'::float4[], e.vector, q.query)"


def tsquery(terms):
    """A to_tsquery() string: each term a phrase of its words, the last one a prefix
    unless it is a Chinese character (a lexeme of its own: nothing to extend)."""
    phrases = []
    for term in terms:
        words = WORD.findall(query_form(term))
        if words:
            prefix = "" if CJK.fullmatch(words[-1][-1]) else ":*"
            phrases.append("(" + " <-> ".join(f"'{word}'" for word in words) + f"{prefix})")
    return " & ".join(phrases)


BEST_OF, BEST_FIRST = "MAX", "b.score DESC"  # ts_rank: higher is better


def matches(terms, limit):
    """(SQL, params) of the `limit` newest matching entries as (entry_id, article_id,
    score), or None when the terms hold no searchable word. Scored after the limit: the
    rank reads each entry's whole vector."""
    if not tsquery(terms):
        return None
    query = (
        f"SELECT e.id AS entry_id, e.article_id, {rank(ARTICLE_WEIGHTS)} AS score FROM ("
        f"SELECT id, article_id, vector FROM {sql.ENTRY} "
        "WHERE vector @@ to_tsquery('english'::regconfig, %s) ORDER BY id DESC LIMIT %s) e, "
        "to_tsquery('english'::regconfig, %s) q(query)"
    )
    return query, [tsquery(terms), limit, tsquery(terms)]


def optimize():
    sql.execute(f"ANALYZE {sql.ENTRY}")
