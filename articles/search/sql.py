"""SQL both backends share."""

from django.db import connection

from ..models import Article

ENTRY = "articles_searchentry"


def published_sql():
    """The one published() rule, as a subquery of article ids."""
    return Article.objects.published().order_by().values("pk").query.sql_with_params()


def fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def first_per_article(rows):
    """{article_id: section_id} from (article_id, section_id) rows, best first."""
    best = {}
    for article_id, section_id in rows:
        best.setdefault(article_id, section_id)
    return best


def count(engine, terms):
    """How many published articles match, on either engine."""
    per_article = engine.per_article(terms)
    if per_article is None:
        return 0
    query, params = per_article
    return fetch(f"SELECT COUNT(*) FROM ({query}) b", params)[0][0]


def article_page(engine, terms, offset, limit):
    """Ids of the matching articles on one page: best first, newer first on ties."""
    per_article = engine.per_article(terms)
    if per_article is None:
        return []
    query, params = per_article
    rows = fetch(
        f"SELECT b.article_id FROM ({query}) b JOIN articles_article a ON a.id = b.article_id "
        f"ORDER BY {engine.BEST_FIRST}, a.published_at DESC, a.id DESC LIMIT %s OFFSET %s",
        [*params, limit, offset],
    )
    return [article_id for (article_id,) in rows]
