"""SQLite: an FTS5 index (unicode61 tokenizer) over the normalised search entries.

Each query word becomes a prefix phrase ("cyber"* matches "cybersecurity"; the spaced
characters of 香港 match as a phrase). FTS5's bm25 ranks with column weights. The FTS5
table and the triggers that keep it in step are made by migration 0004.
"""

from . import sql
from .text import query_form

FTS = "articles_search_fts"
ARTICLE_WEIGHTS = "8.0, 4.0, 3.0, 1.0"  # title, standfirst, heading, body
SECTION_WEIGHTS = "0.0, 0.0, 3.0, 1.0"  # a section's own heading and text


def match_expression(terms):
    return " AND ".join('"{}"*'.format(query_form(term).replace('"', '""')) for term in terms)


def _scored(terms, weights, extra="", extra_params=()):
    # bm25() may not stand inside an aggregate or window: score in its own step.
    query = (
        f"WITH matches AS MATERIALIZED (SELECT article_id, section_id, "
        f"bm25({FTS}, {weights}) AS score FROM {FTS} WHERE {FTS} MATCH %s{extra})"
    )
    return query, [match_expression(terms), *extra_params]


BEST_FIRST = "b.score"  # bm25: lower is better


def per_article(terms):
    """(SQL, params) of each matching published article with its best score."""
    published, params = sql.published_sql()
    matches, match_params = _scored(terms, ARTICLE_WEIGHTS)
    query = (
        f"{matches} SELECT article_id, MIN(score) AS score FROM matches "
        f"WHERE article_id IN ({published}) GROUP BY article_id"
    )
    return query, [*match_params, *params]


def best_sections(terms, article_ids):
    ids = ", ".join(["%s"] * len(article_ids))
    matches, params = _scored(terms, SECTION_WEIGHTS, f" AND article_id IN ({ids})", article_ids)
    rows = sql.fetch(
        f"{matches} SELECT m.article_id, m.section_id FROM matches m "
        "JOIN articles_section s ON s.id = m.section_id ORDER BY m.article_id, m.score, s.position",
        params,
    )
    return sql.first_per_article(rows)


def optimize():
    sql.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
    sql.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")
