"""What pages load beside their articles, by queries compiled once (prepared.py).

A list's cards show each article's topics and bylines; an article page its sections,
topics and bylines. Django's prefetch_related builds, compiles and distributes a query
for each (about 1 ms apiece at 100,000 articles, against 0.05-0.1 ms for the SQL
itself); these load the same rows with one prepared query each.

Topics come by name, as `article.tags.all()` gives them (the manager's ordering).
"""

from .models import Byline, Section, TaggedArticle
from .prepared import Prepared

_IDS = -7_654_321  # stand-ins for article ids (prepared.py)


def _taggings(ids):
    return TaggedArticle.objects.filter(content_object_id__in=ids).select_related("tag")


def _bylines(ids):
    return Byline.objects.filter(article_id__in=ids).select_related("person")


def _sections(ids):
    return Section.objects.filter(article_id__in=ids)


TAGGINGS = Prepared(lambda ids: _taggings(ids).order_by("tag__name", "tag_id"), [_IDS])
BYLINES = Prepared(_bylines, [_IDS])
SECTIONS = Prepared(_sections, [_IDS])


def _by_article(rows, attribute):
    grouped = {}
    for row in rows:
        grouped.setdefault(getattr(row, attribute), []).append(row)
    return grouped


def _tags(ids):
    return {
        article_id: [tagging.tag for tagging in taggings]
        for article_id, taggings in _by_article(TAGGINGS(ids), "content_object_id").items()
    }


def cards(articles):
    """Set `card_tags` (topics) and `card_bylines` (bylines with their people) on each
    of `articles`, as fragments.cards() reads them: two queries for any number, none
    for no articles."""
    articles = list(articles)
    ids = sorted({article.pk for article in articles})
    if not ids:
        return
    tags, bylines = _tags(ids), _by_article(BYLINES(ids), "article_id")
    for article in articles:
        article.card_tags = tags.get(article.pk, [])
        article.card_bylines = bylines.get(article.pk, [])


def _loaded(article, name, manager, rows):
    """Keep `rows` as what `article.<name>.all()` gives, as prefetch_related does."""
    queryset = manager.get_queryset()
    queryset._result_cache, queryset._prefetch_done = rows, True
    article._prefetched_objects_cache[name] = queryset


def article_parts(article):
    """Load `article`'s sections, topics and bylines (with their people), so that
    `article.sections.all()`, `.tags.all()` and `.bylines.all()` read no more: three
    queries."""
    ids = [article.pk]
    if not hasattr(article, "_prefetched_objects_cache"):
        article._prefetched_objects_cache = {}
    sections, tags, bylines = SECTIONS(ids), _tags(ids).get(article.pk, []), BYLINES(ids)
    for section in sections:
        section.article = article
    for byline in bylines:
        byline.article = article
    _loaded(article, "sections", article.sections, sections)
    _loaded(article, "tags", article.tags, tags)
    _loaded(article, "bylines", article.bylines, bylines)
