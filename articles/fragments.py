"""Cards rendered once per version of what they show, not once per page.

A card (an article as lists show it: lead image, title, date, byline, standfirst,
topics) is a function of a few values, all read from the rows the page loads anyway.
`cards()` makes those values, stores each card's HTML under a hash of them (with the
interface language, the time zone, the release and the card template's own text) in
the `fragments` cache, and a later page showing the same values takes the stored HTML.

Nothing is ever deleted or invalidated: an edit to an article, a renamed topic or
author, a new rendition of an image changes the values, so the key, and the next page
renders the card afresh; the stale entry is never read again and ages out. An edit
elsewhere on the site, which moves the content version and so empties the page cache,
leaves every other card stored: after an edit, or for a crawler on the long tail, a
list page renders only the page around its ten stored cards. The card template sees
only these values (`c`), never the article, so no value it shows can be missing from
the key.

At 100,000 articles (SQLite, nothing else cached), ten cards took 3.3 ms of a list
page's 11 in process; ten stored ones take 0.15 ms (bench/uncached.py).
"""

import functools
import hashlib
from typing import NamedTuple

import django
from django.conf import settings
from django.core.cache import cache, caches
from django.template import loader
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from . import images, links
from .addresses import HTML_LANG
from .templatetags.bylines import byline_links

CARD_TEMPLATE = "includes/article_card.html"


class Tag(NamedTuple):
    """A topic as includes/tag_list.html reads it."""

    slug: str
    name: str


@functools.cache
def _template():
    """The card template and a digest of its source: a changed template is a new key
    even where the release is named by a static manifest that did not change."""
    template = loader.get_template(CARD_TEMPLATE)
    source = template.template.source.encode()
    digest = hashlib.sha256(source + repr(django.VERSION).encode()).hexdigest()[:16]
    return template, digest


def card_values(article, lead, language):
    """What the card of `article` shows, as plain values; `language` is the page's
    (a card in another language carries its own `lang`)."""
    image = article.lead_image
    return {
        "lead": lead,
        "has_image": image is not None,
        "picture": images.picture(image, "card", images.SIZES_CARD) if image else None,
        "url": article.get_absolute_url(),
        "title": article.title,
        "lang": "" if article.language == language else article.language,
        "published_at": article.published_at,
        "month_url": links.month(article.published_at),
        "byline": str(byline_links(article)) if article.card_bylines else "",
        "standfirst": article.standfirst,
        "tags": [Tag(tag.slug, tag.name) for tag in article.card_tags],
    }


def cards(articles, language, lead=None):
    """Set `card_html` on each article (loaded with `card_tags` and `card_bylines`):
    its card, from the cache where the same values were shown before; `lead` is the
    article whose card leads the page. One cache read for them all."""
    from .cache import release  # articles.cache imports the models this module's callers use

    template, digest = _template()
    interface = translation.get_language()
    prefix = (release().id, digest, interface, timezone.get_current_timezone_name())
    html_lang = HTML_LANG.get(interface, "en")
    shown = []
    for article in articles:
        values = card_values(article, article is lead, language)
        key = hashlib.sha256(repr((prefix, values)).encode()).hexdigest()
        shown.append((article, f"card:{key}", values))
    # Settings that name only a default cache (a test's, an operator's) keep cards there.
    store = caches["fragments"] if "fragments" in settings.CACHES else cache
    found = store.get_many([key for _, key, _ in shown])
    made = {}
    for article, key, values in shown:
        html = found.get(key) or made.get(key)
        if html is None:
            html = made[key] = template.render({"c": values, "html_lang": html_lang})
        article.card_html = mark_safe(html)
    if made:
        store.set_many(made)  # for the alias's TIMEOUT
