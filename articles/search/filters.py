"""Narrowing a search: by topic, publication date and language, sorted by relevance or date.

    /search/?q=ai&topic=fintech&topic=regulation&from=2026-01-01&to=2026-03-31&lang=en&sort=date

Each filter is one query parameter; `topic` may be given more than once (an article
must have every topic named). `parameters()` reads them in one normal form, which the
page cache keys on (articles/cache.py), the page's canonical link gives and every link
the page makes uses: the parameters sorted, topics sorted and unrepeated, dates as
YYYY-MM-DD, the defaults (relevance, no filter) left out. A value that names nothing
(an unknown topic or language, an impossible date) is left out of the search and the
page says so; it never fails the request.

The filters apply inside the search, before the window of the latest matches is taken
(search/sql.py): a filter finds the matches of its own, not a subset of the latest.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Value
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from taggit.models import Tag

from .. import links
from ..cache import INVALID, SEARCH_FILTERS, topic_slugs
from ..models import Article, TaggedArticle, TopicRedirect
from .text import spellings

LANGUAGES = dict(Article.Language.choices)
# The lowest and highest sort keys the index can hold (SQLite's INTEGER, PostgreSQL's bigint).
KEYS = (-(2**63), 2**63 - 1)


def search_path():
    """The search page's path in the interface of the page (/zh-hant/search/ ...)."""
    return links.address("articles:search")


def parameters(get):
    """The filter parameters of a request's GET in normal form: [(name, value)], sorted
    by name, topics in order, empty ones left out."""
    found = [("topic", slug) for slug in topic_slugs(get.getlist("topic"))]
    for name, reader in SEARCH_FILTERS.items():
        value = reader(get.get(name) or "")
        if value:
            found.append((name, value))
    return sorted(found, key=lambda pair: pair[0])


@dataclass(frozen=True)
class Filters:
    topics: tuple = ()  # ((slug, name), ...) of topics that exist
    start: datetime.date | None = None
    end: datetime.date | None = None
    language: str = ""
    sort: str = "relevance"
    problems: tuple = field(default=(), compare=False)  # what was left out, for the page

    @property
    def key(self):
        """Everything the matches depend on, for the cache key of the results."""
        slugs = ",".join(slug for slug, _ in self.topics)
        return f"{slugs}|{self.start}|{self.end}|{self.language}|{self.sort}"

    @property
    def narrowing(self):
        return bool(self.topics or self.start or self.end or self.language)

    def params(self):
        """[(name, value)] of these filters, in normal form (see parameters())."""
        found = [("topic", slug) for slug, _ in self.topics]
        if self.start:
            found.append(("from", self.start.isoformat()))
        if self.end:
            found.append(("to", self.end.isoformat()))
        if self.language:
            found.append(("lang", self.language))
        if self.sort != "relevance":
            found.append(("sort", self.sort))
        return sorted(found, key=lambda pair: pair[0])

    def url(self, query, drop=None, add=None, page=None):
        """The search page's address for `query` with these filters, less the pair
        `drop` and plus the pair `add`: in the normal form the page cache keys on
        (cache.normal_query, rebuilt here: through it, the dozen links of a result page
        took 3 ms, resolving the path for each)."""
        pairs = [("q", query), *(pair for pair in self.params() if pair != drop)]
        pairs += [add] if add else []
        pairs += [("page", str(page))] if page and page > 1 else []
        topics = topic_slugs(value for name, value in pairs if name == "topic")
        single = {name: value for name, value in pairs if name != "topic"}
        kept = QueryDict(mutable=True)
        for name in sorted({*single, *(["topic"] if topics else [])}):
            if name == "topic":
                kept.setlist(name, topics)
            else:
                kept[name] = single[name]
        return search_path() + "?" + kept.urlencode()

    def active(self, query):
        """[(label, link that removes it)] for the page: each filter in force."""
        found = []
        for slug, name in self.topics:
            found.append((_("Topic: %(name)s") % {"name": name}, self.url(query, ("topic", slug))))
        if self.start:
            label = _("From %(date)s") % {"date": self.start.isoformat()}
            found.append((label, self.url(query, ("from", self.start.isoformat()))))
        if self.end:
            label = _("Until %(date)s") % {"date": self.end.isoformat()}
            found.append((label, self.url(query, ("to", self.end.isoformat()))))
        if self.language:
            label = _("Language: %(name)s") % {"name": _(LANGUAGES[self.language])}
            found.append((label, self.url(query, ("lang", self.language))))
        if self.sort == "date":
            found.append((_("Newest first"), self.url(query, ("sort", "date"))))
        return found

    def sort_key_range(self):
        """(lowest, highest + 1) of SearchDocument.sort_key for the date range, either
        None when open: days begin at midnight in the site's time zone."""
        from . import KEY_SPAN

        def key(day):
            """The first sort key of `day`, within the keys' 64-bit integers: the years
            1 to 9999 are dates too, beyond every article (2242 and 1698 are the ends)."""
            midnight = datetime.datetime.combine(day, datetime.time())
            seconds = int(timezone.make_aware(midnight).timestamp())
            return min(max(seconds * KEY_SPAN, KEYS[0]), KEYS[1])

        low = key(self.start) if self.start else None
        last_day = self.end == datetime.date.max  # has no next day: open
        high = key(self.end + datetime.timedelta(days=1)) if self.end and not last_day else None
        return low, high


def topics_now(slugs):
    """{slug: (slug, name)} of the topics these slugs name that no topic has now: a slug
    in the other Chinese script, or one a topic had before it was renamed or merged (as
    the topic's page answers them, articles/topics.py). One query, only when a filter
    names a topic by a slug that is not its own (an old bookmark, a shared link)."""
    wanted = {spelling: slug for slug in slugs for spelling in spellings(slug)}
    spelled = Tag.objects.filter(slug__in=wanted).annotate(moved=Value(False))
    spelled = spelled.values_list("moved", "slug", "slug", "name")
    moved = TopicRedirect.objects.filter(old_slug__in=wanted).annotate(moved=Value(True))
    moved = moved.values_list("moved", "old_slug", "tag__slug", "tag__name")
    found = {}
    for _moved, old, slug, name in sorted(spelled.union(moved, all=True)):  # spelled first
        found.setdefault(wanted[old], (slug, name))
    return found


def read(get):
    """The Filters of a request's GET (see parameters()); one query when topics are
    named (which of them exist), none otherwise."""
    pairs = parameters(get)
    given = dict(pairs)
    slugs = [value for name, value in pairs if name == "topic"]
    problems = []
    topics = ()
    if slugs:
        names = dict(Tag.objects.filter(slug__in=slugs).values_list("slug", "name"))
        current = {slug: (slug, name) for slug, name in names.items()}
        unknown = [slug for slug in slugs if slug not in names]
        current.update(topics_now(unknown) if unknown else {})
        for slug in unknown:
            if slug not in current:
                problems.append(
                    _("There is no topic “%(slug)s”; it was left out.") % {"slug": slug}
                )
        topics = tuple(sorted({current[slug] for slug in slugs if slug in current}))
    dates = {}
    labels = {"from": _("The “from” date"), "to": _("The “to” date")}
    for name in ("from", "to"):
        value = given.get(name)
        if value == INVALID:
            message = _(
                "%(which)s is not a date (write YYYY-MM-DD, e.g. 2026-03-31); it was left out."
            )
            problems.append(message % {"which": labels[name]})
        elif value:
            dates[name] = datetime.date.fromisoformat(value)
    start, end = dates.get("from"), dates.get("to")
    if start and end and start > end:
        start, end = end, start
    language = given.get("lang", "")
    if language == INVALID:
        message = _(
            "The language asked for is not one of the site’s (%(languages)s); it was left out."
        )
        problems.append(message % {"languages": ", ".join(LANGUAGES)})
        language = ""
    sort = "date" if given.get("sort") == "date" else "relevance"
    return Filters(topics, start, end, language, sort, tuple(problems))


def condition(filters, article, sort_key, apart=""):
    """(SQL, params) restricting the matches to the filters, or ("", []): `article` and
    `sort_key` are the SQL expressions of a match's article id and sort key; `apart`
    ends each subquery (the engine's way of keeping it one, see postgresql.APART)."""
    parts, params = [], []
    low, high = filters.sort_key_range()
    if low is not None:
        parts.append(f"{sort_key} >= %s")
        params.append(low)
    if high is not None:
        parts.append(f"{sort_key} < %s")
        params.append(high)
    tagged, tags = TaggedArticle._meta.db_table, Tag._meta.db_table
    # The topic's id once (an uncorrelated subquery), then one lookup of (article, tag)
    # per match: joined to the topics instead, PostgreSQL read all 235 of them for each
    # ("bank", topic fintech, 2024, at 100,000 articles: 17 of the query's 34 ms).
    for slug, _name in filters.topics:
        parts.append(
            f"EXISTS (SELECT 1 FROM {tagged} ft WHERE ft.content_object_id = {article} "
            f"AND ft.tag_id = (SELECT fg.id FROM {tags} fg WHERE fg.slug = %s){apart})"
        )
        params.append(slug)
    if filters.language:
        parts.append(
            f"EXISTS (SELECT 1 FROM {Article._meta.db_table} fa "
            f"WHERE fa.id = {article} AND fa.language = %s{apart})"
        )
        params.append(filters.language)
    return " AND ".join(parts), params
