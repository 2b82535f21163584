"""PostgreSQL: full-text search (English stemming) plus pg_trgm for any substring.

A word matches an entry when the weighted tsvector matches it (so "regulations" finds
"regulation") or the normalised text contains it (so "cyber" and the spaced characters
of 香港 match inside words); both use GIN indexes made by migration 0004. Each matching
word scores 8 in the title, 4 in the standfirst, 3 in a heading and 1 in the body.
"""

from . import sql
from .text import normalize

TEXT = "(e.title || ' ' || e.standfirst || ' ' || e.heading || ' ' || e.body)"
VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, e.title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, e.standfirst), 'B') || "
    "setweight(to_tsvector('english'::regconfig, e.heading), 'B') || "
    "setweight(to_tsvector('english'::regconfig, e.body), 'C'))"
)
WEIGHTS = {"title": 8, "standfirst": 4, "heading": 3, "body": 1}
SECTION_COLUMNS = ("heading", "body")  # which section to link to: its own text only


def _hits(terms):
    published, published_params = sql.published_sql()
    score, score_params, section_score, section_params = [], [], [], []
    match, match_params = [], []
    for term in terms:
        words = normalize(term)
        for column, weight in WEIGHTS.items():
            score.append(f"CASE WHEN e.{column} ILIKE %s THEN {weight} ELSE 0 END")
            score_params.append(sql.like_pattern(words))
        for column in SECTION_COLUMNS:
            section_score.append(f"CASE WHEN e.{column} ILIKE %s THEN {WEIGHTS[column]} ELSE 0 END")
            section_params.append(sql.like_pattern(words))
        match.append(f"({VECTOR} @@ plainto_tsquery('english'::regconfig, %s) OR {TEXT} ILIKE %s)")
        match_params += [words, sql.like_pattern(words)]
    query = (
        f"SELECT e.article_id, e.section_id, ({' + '.join(score)}) AS score, "
        f"({' + '.join(section_score)}) AS section_score, s.position "
        f"FROM {sql.ENTRY} e JOIN articles_section s ON s.id = e.section_id "
        f"WHERE e.article_id IN ({published}) AND {' AND '.join(match)}"
    )
    return query, [*score_params, *section_params, *published_params, *match_params]


def count(terms):
    query, params = _hits(terms)
    return sql.fetch(f"SELECT COUNT(DISTINCT article_id) FROM ({query}) h", params)[0][0]


def page(terms, offset, limit):
    query, params = _hits(terms)
    return sql.fetch(
        f"SELECT b.section_id FROM (SELECT DISTINCT ON (h.article_id) h.article_id, "
        f"h.section_id, MAX(h.score) OVER (PARTITION BY h.article_id) AS score "
        f"FROM ({query}) h "
        "ORDER BY h.article_id, h.section_score DESC, h.position, h.section_id) b "
        "JOIN articles_article a ON a.id = b.article_id "
        "ORDER BY b.score DESC, a.published_at DESC, a.id DESC LIMIT %s OFFSET %s",
        [*params, limit, offset],
    )


def optimize():
    sql.execute(f"ANALYZE {sql.ENTRY}")
