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
SECTION_WEIGHTS = "{0.1, 0.3, 0, 0}"  # a section's own heading and text
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


def per_article(terms):
    """(SQL, params) of each matching published article with its best score, or None
    when the terms hold no searchable word."""
    if not tsquery(terms):
        return None
    published, params = sql.published_sql()
    query = (
        f"SELECT e.article_id, MAX({rank(ARTICLE_WEIGHTS)}) AS score "
        f"FROM {sql.ENTRY} e, to_tsquery('english'::regconfig, %s) q(query) "
        f"WHERE e.vector @@ q.query AND e.article_id IN ({published}) GROUP BY e.article_id"
    )
    return query, [tsquery(terms), *params]


def best_sections(terms, article_ids):
    rows = sql.fetch(
        f"SELECT e.article_id, e.section_id FROM {sql.ENTRY} e "
        "JOIN articles_section s ON s.id = e.section_id, "
        "to_tsquery('english'::regconfig, %s) q(query) "
        "WHERE e.vector @@ q.query AND e.article_id = ANY(%s) "
        f"ORDER BY e.article_id, {rank(SECTION_WEIGHTS)} DESC, s.position",
        [tsquery(terms), list(article_ids)],
    )
    return sql.first_per_article(rows)


def optimize():
    sql.execute(f"ANALYZE {sql.ENTRY}")
