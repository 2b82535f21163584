"""`lang` for text in another language than the page's (a card, a title)."""

from django import template
from django.utils.html import format_html

from articles.language import page_language

register = template.Library()


@register.filter
def lang_if_other(article):
    """` lang="…"` when `article` is written in another language than the page."""
    if article.language == page_language():
        return ""
    return format_html(' lang="{}"', article.language)
