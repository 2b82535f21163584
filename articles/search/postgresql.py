"""PostgreSQL: full-text search (English stemming) plus pg_trgm for any substring.

A word matches an entry when the weighted tsvector matches it (so "regulations" finds
"regulation") or the entry's text contains it (so 香港 and "cyber" match inside words);
both conditions use GIN indexes made by migration 0004.
"""

from django.db import connection

from . import sql

TEXT = "(e.title || ' ' || e.standfirst || ' ' || e.heading || ' ' || e.body)"
VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, e.title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, e.standfirst), 'B') || "
    "setweight(to_tsvector('english'::regconfig, e.heading), 'B') || "
    "setweight(to_tsvector('english'::regconfig, e.body), 'C'))"
)


def contains(column):
    return f"strpos(lower({column}), lower(%s)) > 0"


def hits(terms):
    clauses, params = [], []
    for term in terms:
        clauses.append(
            f"({VECTOR} @@ plainto_tsquery('english'::regconfig, %s) OR {TEXT} ILIKE %s)"
        )
        params += [term, sql.like_pattern(term)]
    return sql.hits_sql(terms, " AND ".join(clauses), params, contains)


def optimize():
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {sql.ENTRY}")
