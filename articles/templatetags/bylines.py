"""An article's byline with a link to each author's page (bylines prefetched, into
`bylines` or a card's `card_bylines`)."""

from django import template
from django.conf import settings
from django.utils.html import format_html, format_html_join

from articles.bylines import people as people_of

register = template.Library()


@register.filter
def byline_links(article):
    """ "Amy Wong, Oscar Lee", each name a link to its author page; the site's name,
    unlinked, for an article naming no one."""
    people = people_of(article)
    if not people:
        return settings.SITE_NAME
    links = format_html_join(
        ", ",
        '<a href="{}" rel="author">{}</a>',
        ((person.get_absolute_url(), person.name) for person in people),
    )
    return format_html("{}", links)
