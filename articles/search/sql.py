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
