"""SQLite: an FTS5 table with the trigram tokenizer over the search entries.

Trigrams match any substring of three characters or more, in any script. A word of one
or two characters (香港, AI) cannot use the trigram index; it is matched with LIKE.
The FTS5 table and the triggers that keep it in step are made by migration 0004.
"""

from django.db import connection

from . import sql

FTS = "articles_search_fts"
TEXT = "(e.title || ' ' || e.standfirst || ' ' || e.heading || ' ' || e.body)"


def contains(column):
    return f"instr(lower({column}), lower(%s)) > 0"


def hits(terms):
    long_terms = [t for t in terms if len(t) >= 3]
    clauses, params = [], []
    if long_terms:
        clauses.append(f"e.id IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)")
        params.append(" ".join('"' + t.replace('"', '""') + '"' for t in long_terms))
    for term in terms:
        if len(term) < 3:
            clauses.append(f"{TEXT} LIKE %s ESCAPE '\\'")
            params.append(sql.like_pattern(term))
    return sql.hits_sql(terms, " AND ".join(clauses), params, contains)


def optimize():
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
        cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")
