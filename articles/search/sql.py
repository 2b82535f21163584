"""The ranking query both backends share; each supplies its own match and contains SQL."""

from django.db import connection

from ..models import Article

ENTRY = "articles_searchentry"
WEIGHTS = {"title": 8, "standfirst": 4, "heading": 3, "body": 1}  # per word found there


def hits_sql(terms, match_sql, match_params, contains):
    """SELECT of every matching entry of a published article, with its rank.

    `contains(column)` is SQL true when the column holds the next parameter (a term).
    """
    published, published_params = (
        Article.objects.published().order_by().values("pk").query.sql_with_params()
    )
    rank, rank_params = [], []
    for term in terms:
        for column, weight in WEIGHTS.items():
            rank.append(f"CASE WHEN {contains('e.' + column)} THEN {weight} ELSE 0 END")
            rank_params.append(term)
    sql = (
        f"SELECT e.article_id, e.section_id, ({' + '.join(rank)}) AS rank, "
        "s.position, a.published_at "
        f"FROM {ENTRY} e "
        "JOIN articles_section s ON s.id = e.section_id "
        "JOIN articles_article a ON a.id = e.article_id "
        f"WHERE e.article_id IN ({published}) AND {match_sql}"
    )
    return sql, [*rank_params, *published_params, *match_params]


def count(hits):
    """How many articles match."""
    hits_sql, params = hits
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH hits AS ({hits_sql}) SELECT COUNT(DISTINCT article_id) FROM hits", params
        )
        return cursor.fetchone()[0]


def page(hits, offset, limit):
    """(article_id, section_id, rank) for each article once, with its best section;
    best articles first, newer on ties."""
    hits, params = hits
    sql = (
        f"WITH hits AS ({hits}), best AS ("
        "SELECT article_id, section_id, rank, published_at, ROW_NUMBER() OVER ("
        "PARTITION BY article_id ORDER BY rank DESC, position, section_id) AS n FROM hits) "
        "SELECT article_id, section_id, rank FROM best WHERE n = 1 "
        "ORDER BY rank DESC, published_at DESC, article_id DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        return cursor.fetchall()


def like_pattern(term):
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
