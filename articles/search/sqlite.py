"""SQLite: an FTS5 index (unicode61 tokenizer) over the normalised search entries.

Each query word becomes a prefix phrase ("cyber"* matches "cybersecurity"; the spaced
characters of 香港 match as a phrase). FTS5's bm25 ranks with column weights. The FTS5
table and the triggers that keep it in step are made by migration 0004.
"""

from . import sql
from .text import normalize

FTS = "articles_search_fts"
WEIGHTS = "8.0, 4.0, 3.0, 1.0"  # title, standfirst, heading, body
SECTION_WEIGHTS = "0.0, 0.0, 3.0, 1.0"  # which section to link to: its own text only


def match_expression(terms):
    phrases = []
    for term in terms:
        words = normalize(term).replace('"', '""')
        phrases.append(f'"{words}"*')
    return " AND ".join(phrases)


def _best(terms):
    """Each published article's best entry (lowest bm25 score) among the matches."""
    published, params = sql.published_sql()
    # bm25() may not stand inside an aggregate: score in a materialised step first.
    # With GROUP BY, SQLite takes section_id from the row holding MIN(score).
    query = (
        f"WITH matches AS MATERIALIZED (SELECT article_id, section_id, "
        f"bm25({FTS}, {WEIGHTS}) AS score FROM {FTS} WHERE {FTS} MATCH %s) "
        "SELECT article_id, section_id, MIN(score) AS score FROM matches "
        f"WHERE article_id IN ({published}) GROUP BY article_id"
    )
    return query, [match_expression(terms), *params]


def count(terms):
    query, params = _best(terms)
    return sql.fetch(f"SELECT COUNT(*) FROM ({query}) b", params)[0][0]


def page(terms, offset, limit):
    """The best section of each article on the page, best articles first."""
    query, params = _best(terms)
    articles = [
        article_id
        for (article_id,) in sql.fetch(
            f"SELECT b.article_id FROM ({query}) b JOIN articles_article a "
            "ON a.id = b.article_id "
            "ORDER BY b.score, a.published_at DESC, a.id DESC LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
    ]
    if not articles:
        return []
    # Title and standfirst match every section alike: link to the section whose own
    # heading or text matches best, the first one when none does.
    rows = sql.fetch(
        f"WITH matches AS MATERIALIZED (SELECT article_id, section_id, "
        f"bm25({FTS}, {SECTION_WEIGHTS}) AS score FROM {FTS} WHERE {FTS} MATCH %s "
        f"AND article_id IN ({', '.join(['%s'] * len(articles))})) "
        "SELECT m.article_id, m.section_id FROM matches m "
        "JOIN articles_section s ON s.id = m.section_id "
        "ORDER BY m.article_id, m.score, s.position",
        [match_expression(terms), *articles],
    )
    best = {}
    for article_id, section_id in rows:
        best.setdefault(article_id, section_id)
    return [(best[article_id],) for article_id in articles]


def optimize():
    sql.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
    sql.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")
