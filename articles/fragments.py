"""Parts of pages rendered once per version of what they show, not once per page.

A card (an article as lists show it: lead image, title, date, byline, standfirst,
topics) and an article's body (its header, lead figure, contents, sections and topics)
are functions of a few values, all read from the rows the page loads anyway. Each is
stored under a hash of its values (with the interface language, the time zone, the
script prefix, the release and its templates' own text) in the `fragments` cache, and a later page
showing the same values takes the stored HTML.

Nothing is ever deleted or invalidated: an edit to an article, a renamed topic or
author, a new rendition of an image changes the values, so the key, and the next page
renders the card afresh; the stale entry is never read again and ages out. An edit
elsewhere on the site, which moves the content version and so empties the page cache,
leaves every other card and body stored: after an edit, or for a crawler on the long
tail, a page renders only what is around them. Their templates see only these values
(`c`), never the article, so no value they show can be missing from the key.

At 100,000 articles (SQLite, nothing else cached), ten cards took 3.3 ms of a list
page's 11 in process; ten stored ones take 0.15 ms (bench/uncached.py).
"""

import functools
import hashlib
import pathlib
import re
from typing import NamedTuple

import django
from django.conf import settings
from django.core.cache import cache, caches
from django.template import loader
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from . import images, links
from .addresses import HTML_LANG
from .cache import release
from .templatetags.bylines import byline_links

CARD_TEMPLATE = "includes/article_card.html"
BODY_TEMPLATE = "includes/article_body.html"


class Tag(NamedTuple):
    """A topic as includes/tag_list.html reads it."""

    slug: str
    name: str


class Section(NamedTuple):
    anchor: str
    heading: str
    body_html: str


INCLUDED = re.compile(r"""\{%\s*include\s+["']([^"']+)["']""")


def sources(name, seen=None):
    """The source of template `name` and of every template it includes, in order."""
    seen = set() if seen is None else seen
    if name in seen:
        return ""
    seen.add(name)
    source = loader.get_template(name).template.source
    return source + "".join(sources(included, seen) for included in INCLUDED.findall(source))


@functools.cache
def _template(name):
    """The template and a digest of what it renders with: its source and its includes',
    the translation catalogues and Django's version. A change to any of them is a new
    key even where the release is named by a static manifest that did not change."""
    catalogues = b"".join(
        path.read_bytes()
        for folder in settings.LOCALE_PATHS
        for path in sorted(pathlib.Path(folder).rglob("*.mo"))
    )
    digest = hashlib.sha256(sources(name).encode() + catalogues + repr(django.VERSION).encode())
    return loader.get_template(name), digest.hexdigest()[:16]


def _store():
    # Settings that name only a default cache (a test's, an operator's) keep them there.
    return caches["fragments"] if "fragments" in settings.CACHES else cache


def rendered(name, shown, store=True):
    """The HTML of template `name` for each of `shown`, a list of (values, extra):
    `values` are what it shows and its key; `extra()` gives values that follow from
    them and cost more to work out (they are made only to render). One cache read."""
    template, digest = _template(name)
    interface = translation.get_language()
    # The script prefix too: topic links are made as the template renders.
    prefix = (release().id, digest, interface, timezone.get_current_timezone_name(),
              get_script_prefix())  # fmt: skip
    keys = [
        f"{name}:{hashlib.sha256(repr((prefix, values)).encode()).hexdigest()}"
        for values, _ in shown
    ]
    found = _store().get_many(keys) if store else {}
    made, out = {}, []
    for key, (values, extra) in zip(keys, shown, strict=True):
        html = found.get(key) or made.get(key)
        if html is None:
            c = {**values, **extra()} if extra else values
            html = made[key] = template.render(
                {"c": c, "html_lang": HTML_LANG.get(interface, "en")}
            )
        out.append(mark_safe(html))
    if made and store:
        _store().set_many(made)  # for the alias's TIMEOUT
    return out


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
    shown = [(card_values(article, article is lead, language), None) for article in articles]
    for article, html in zip(articles, rendered(CARD_TEMPLATE, shown), strict=True):
        article.card_html = html


def body_values(article, *, is_preview, preview_of_changes, version_links):
    """What an article page's <article> shows, as plain values (sections prefetched and
    expanded, tags and bylines prefetched)."""
    sections = article.sections.all()
    image = article.lead_image
    return {
        "is_preview": is_preview,
        "preview_of_changes": preview_of_changes,
        "is_scheduled": article.is_scheduled if is_preview else False,
        "status": article.status,
        "language": article.language,
        "title": article.title,
        "standfirst": article.standfirst,
        "version_links": list(version_links or ()),
        "byline": str(byline_links(article)),
        "published_at": article.published_at,
        "month_url": links.month(article.published_at) if article.published_at else "",
        "figure": images.picture(image, lead=True) if image else None,
        "sections": [Section(s.anchor, s.heading, s.body_html) for s in sections],
        # What the reading time is worked out from, in the key; the time itself only
        # when the body is rendered (it reads every word).
        "words": [s.body for s in sections],
        "tags": [Tag(tag.slug, tag.name) for tag in article.tags.all()],
    }


def article_body(article, **page):
    """The <article> of an article page; stored where settings.FRAGMENT_BODIES says
    (with Redis), never for a preview."""

    def extra():
        return {"reading_minutes": article.reading_minutes}

    stored = settings.FRAGMENT_BODIES and not page["is_preview"]
    return rendered(BODY_TEMPLATE, [(body_values(article, **page), extra)], store=stored)[0]
