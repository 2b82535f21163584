"""A Chinese article in the other script: Traditional (Hong Kong) text read in
Simplified characters, or Simplified in Traditional, at its own address (the other
interface's, articles/addresses.py).

OpenCC converts character by character with Hong Kong variants (`hk2s`, `s2hk`): the
wording stays the writer's. What an editor marks stays as written: a span in another
language (`lang`) or marked to keep (`translate="no"`, docs/editors.md), code, and the
site's term list (settings.KEEP_AS_WRITTEN: names, product names such as 智譜).

The conversion is made once per content version and kept in the cache (`cache.cached`,
keyed on it and on the term list), never per request; the whole page is then cached too.
"""

import functools
import hashlib
import re

from django.conf import settings
from django.utils.safestring import mark_safe

from . import cache
from .search.text import convert

CHINESE = ("zh-Hant-HK", "zh-Hans")
# (written in, shown in) → the OpenCC configuration.
CONFIGS = {("zh-Hans", "zh-Hant-HK"): "s2hk", ("zh-Hant-HK", "zh-Hans"): "hk2s"}
# Kept as written: code, a span an editor marked (in another language or to keep), and
# any tag itself (its attributes are addresses and names).
_KEPT = re.compile(
    r"(<(pre|code)\b.*?</\2>|<span\b[^>]*\b(?:lang|translate)=[^>]*>.*?</span>|<[^>]*>)",
    re.DOTALL,
)


def shown_in(article, language):
    """The language an article is shown in on a page whose text is in `language` (the
    interface's, addresses.OF_INTERFACE): a Chinese article in the page's script,
    anything else as written."""
    if article.language in CHINESE and language in CHINESE:
        return language
    return article.language


def _terms_pattern():
    return _pattern(tuple(settings.KEEP_AS_WRITTEN))


@functools.lru_cache(maxsize=4)
def _pattern(terms):
    terms = sorted(set(terms), key=len, reverse=True)
    return re.compile("(" + "|".join(map(re.escape, terms)) + ")") if terms else None


_UNSET = object()


def convert_text(text, config, terms=_UNSET):
    """Plain `text` converted, the listed terms as written."""
    terms = _terms_pattern() if terms is _UNSET else terms
    if not text:
        return text
    if terms is None:
        return convert(text, config)
    parts = terms.split(text)  # odd items: the terms
    return "".join(part if i % 2 else convert(part, config) for i, part in enumerate(parts))


def convert_html(html, config, terms=_UNSET):
    """Sanitised section HTML converted, tags, code and marked spans as written."""
    terms = _terms_pattern() if terms is _UNSET else terms
    parts = _KEPT.split(html)
    # split() gives text, (whole match, tag name), text, …: every third item is text.
    out = []
    for i in range(0, len(parts), 3):
        out.append(convert_text(parts[i], config, terms))
        if i + 1 < len(parts):
            out.append(parts[i + 1])
    return "".join(out)


def _version_name(config):
    terms = "\0".join(sorted(set(settings.KEEP_AS_WRITTEN)))
    return f"{config}:{hashlib.sha256(terms.encode()).hexdigest()[:12]}"


def show_article(article, language):
    """Change `article` (and its prefetched sections) in memory to read in `language`'s
    script when it is a Chinese article written in the other one; nothing is saved.
    Returns whether it was converted."""
    config = CONFIGS.get((article.language, shown_in(article, language)))
    if config is None:
        return False
    sections = list(article.sections.all())

    def compute():
        terms = _terms_pattern()
        return {
            "title": convert_text(article.title, config, terms),
            "standfirst": convert_text(article.standfirst, config, terms),
            "sections": [
                (convert_text(s.heading, config, terms), convert_html(s.body_html, config, terms))
                for s in sections
            ],
        }

    done = cache.cached(f"script:{article.pk}:{_version_name(config)}", compute)
    article.title, article.standfirst = done["title"], done["standfirst"]
    for section, (heading, body_html) in zip(sections, done["sections"], strict=True):
        section.heading, section.body_html = heading, body_html
    article.written_in, article.language = article.language, shown_in(article, language)
    return True


def show_cards(articles, language):
    """Titles (and standfirsts, where loaded) of these articles in `language`'s script,
    for cards, search results and related articles: one cache read each; nothing saved."""
    for article in articles:
        shown = shown_in(article, language)
        config = CONFIGS.get((article.language, shown))
        if config is None:
            continue
        fields = [f for f in ("title", "standfirst") if f not in article.get_deferred_fields()]

        def compute(article=article, config=config, fields=fields):
            terms = _terms_pattern()
            return [convert_text(getattr(article, f), config, terms) for f in fields]

        name = f"script-card:{article.pk}:{'+'.join(fields)}:{_version_name(config)}"
        for field, value in zip(fields, cache.cached(name, compute), strict=True):
            setattr(article, field, value)
        article.written_in, article.language = article.language, shown


def show_hits(hits, language):
    """Search results in `language`'s script: titles, section headings and snippets
    (escaped HTML with <mark>s) of Chinese articles written in the other one. Made per
    search page, which the page cache keeps (a snippet depends on the query)."""
    for hit in hits:
        config = CONFIGS.get((hit.article.language, shown_in(hit.article, language)))
        if config is None:
            continue
        hit.snippet = mark_safe(convert_html(str(hit.snippet), config))
        hit.section.heading = convert_text(hit.section.heading, config)
    show_cards([hit.article for hit in hits], language)
