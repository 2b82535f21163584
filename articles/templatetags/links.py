"""Addresses of articles, topics and months in templates, without a reverse() for each
(articles/links.py): `{{ article|article_url }}`, `{{ tag|tag_url }}`,
`{{ article.published_at|month_url }}`."""

from django import template

from articles import links
from articles.models import Article

register = template.Library()

register.filter("article_url", Article.get_absolute_url)
register.filter("tag_url", links.tag)
register.filter("month_url", links.month)
