"""SQL both backends share."""

from django.db import connection
from taggit.models import Tag

from ..models import TaggedArticle, published_sql_condition
from . import prefixes
from .filters import condition as narrowing

DOCUMENT = "articles_searchdocument"
TAGGED, TAG = TaggedArticle._meta.db_table, Tag._meta.db_table
# At most this many matching documents (articles), the latest published, are ranked: a
# word found in nearly every article would otherwise score every one of them (1.1 s
# for "model" at 100,000 articles). Searches that match fewer are ranked in full. At
# 100,000 articles on SQLite, 1,000 took a search page 22-33 ms (p50, nothing cached)
# and 500 took 19-26 ms: scoring whole articles (bm25) is most of the cost.
WINDOW = 500


def fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def ranked(engine, terms, filters=None, keys=None):
    """([ids of the matching published articles, best first, newer first on ties; or
    newest first when the filters sort by date], whether that is all of them: False when
    more than WINDOW documents match). One query, one pass over the index: the WINDOW + 1
    latest matching documents (by SearchDocument.sort_key) within the filters
    (search/filters.py) and the sort keys `keys` (lowest, highest + 1: those a published
    article can have), the last of them only telling whether there are more."""
    if not any(not term.exclude for term in terms):
        return [], True
    where, where_params = ("", [])
    if filters is not None:
        where, where_params = narrowing(filters, engine.ARTICLE_ID, engine.SORT_KEY, engine.APART)
    expanded = prefixes.expansions(terms, engine.EXPANDED_FROM)
    if prefixes.impossible(terms, expanded):
        return [], True
    query, params = engine.matches(
        terms, WINDOW + 1, where, where_params, expanded=expanded, keys=keys
    )
    order = engine.BEST_FIRST + ", " if filters is None or filters.sort != "date" else ""
    published, published_params = published_sql_condition("a")
    # The few matches first, then their articles, one by one (engine.articles_of).
    rows = fetch(
        f"WITH m AS MATERIALIZED ({query}) "
        f"SELECT w.article_id, (SELECT COUNT(*) FROM m) FROM "
        f"(SELECT * FROM m ORDER BY sort_key DESC LIMIT {WINDOW}) w "
        f"{engine.articles_of('w.article_id', published)} "
        f"ORDER BY {order}a.published_at DESC, a.id DESC",
        [*params, *published_params],
    )
    return [article_id for article_id, _ in rows], not rows or rows[0][1] <= WINDOW


def found_any(engine, terms, filters):
    """Whether any published article matches (unranked, so cheap): to tell whether a
    "Did you mean" suggestion finds something. One query, stopping at the newest
    published match."""
    if not any(not term.exclude for term in terms):
        return False
    expanded = prefixes.expansions(terms, engine.EXPANDED_FROM)
    if prefixes.impossible(terms, expanded):
        return False
    where, where_params = narrowing(filters, engine.ARTICLE_ID, engine.SORT_KEY, engine.APART)
    published, published_params = published_sql_condition("pa")
    live = f"EXISTS (SELECT 1 FROM articles_article pa WHERE pa.id = {engine.ARTICLE_ID} "
    live += f"AND {published})"
    where = f"{where} AND {live}" if where else live
    query, params = engine.matches(
        terms,
        1,
        where,
        [*where_params, *published_params],
        scored=False,
        ordered=False,
        expanded=expanded,
    )
    return bool(fetch(query, params))


def topic_counts(engine, article_ids, limit):
    """[(slug, name, count)] of the topics of these articles, the most frequent first
    (then by name). Written out rather than by the ORM: with 500 ids its query took
    3.0 ms to build and run, this 0.9 ms (SQLite, 100,000 articles)."""
    if not article_ids:
        return []
    among, params = engine.ids_in("t.content_object_id", article_ids)
    return [
        tuple(row)
        for row in fetch(
            f"SELECT g.slug, g.name, COUNT(*) AS n FROM {TAGGED} t "
            f"JOIN {TAG} g ON g.id = t.tag_id WHERE {among} "
            f"GROUP BY g.id, g.slug, g.name ORDER BY n DESC, g.name LIMIT {int(limit)}",
            params,
        )
    ]
