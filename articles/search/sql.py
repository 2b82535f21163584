"""SQL both backends share."""

from django.db import connection

from ..models import published_sql_condition

ENTRY = "articles_searchentry"
# At most this many matching entries (sections), the newest, are ranked: a word found in
# nearly every article would otherwise score every one of them (1.1 s for "model" at
# 100,000 articles). Searches that match fewer are ranked and counted in full.
WINDOW = 1000


def fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def ranked(engine, terms):
    """([ids of the matching published articles, best first, newer first on ties],
    whether that is all of them: False when more than WINDOW entries match). One query,
    one pass over the index: the newest WINDOW + 1 matching entries, the last of them
    only telling whether there are more."""
    found = engine.matches(terms, WINDOW + 1)
    if found is None:
        return [], True
    query, params = found
    published, published_params = published_sql_condition("a")
    # CROSS JOIN keeps SQLite's join order: the few matches first, then their articles.
    rows = fetch(
        f"WITH m AS MATERIALIZED ({query}), b AS ("
        f"SELECT article_id, {engine.BEST_OF}(score) AS score FROM "
        f"(SELECT * FROM m ORDER BY entry_id DESC LIMIT {WINDOW}) w GROUP BY article_id) "
        f"SELECT b.article_id, (SELECT COUNT(*) FROM m) FROM b "
        f"CROSS JOIN articles_article a WHERE a.id = b.article_id AND {published} "
        f"ORDER BY {engine.BEST_FIRST}, a.published_at DESC, a.id DESC",
        [*params, *published_params],
    )
    return [article_id for article_id, _ in rows], not rows or rows[0][1] <= WINDOW
