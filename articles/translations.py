"""Articles linked to their translations, and the addresses of an article's versions.

A translation names its original (`Article.translation_of`, one level deep: see the
model). The versions of an article are its original and every translation of that
original; each Chinese version can also be read in the other script (articles/scripts.py)
at its address in the other Chinese interface (articles/addresses.py).

A translation is *behind* when its original was edited after it: the sections named are
those whose heading or text changed in the original since the translation's last edit,
found by comparing the original's version saved at that time (django-reversion,
articles/revisions.py) with the original as it is.
"""

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import translation
from reversion.errors import RevertError

from . import cache, revisions
from .addresses import INTERFACE_OF
from .models import Article
from .scripts import CHINESE

# What a link to a version says, in that version's language and script.
READ_IN = {"en": "Read in English", "zh-Hant-HK": "閱讀中文版", "zh-Hans": "阅读中文版"}
SCRIPT_NAME = {"zh-Hant-HK": "繁體中文", "zh-Hans": "简体中文"}
OTHER_SCRIPT = {"zh-Hant-HK": "zh-Hans", "zh-Hans": "zh-Hant-HK"}


def address(article, interface):
    with translation.override(interface):
        return reverse("articles:detail", kwargs={"slug": article.slug})


def original_address(article):
    """Where the article is read as written: in the interface of its own language."""
    return address(article, INTERFACE_OF[getattr(article, "written_in", article.language)])


def group_q(article):
    root = article.translation_of_id or article.pk
    return Q(pk=root) | Q(translation_of_id=root)


def with_translation_flag(articles):
    """`articles` each with `has_translations` (whether any article translates it,
    published or not), in the query that loads them: most articles have no versions to
    look up. Any, not only published ones: with the published rule in the subquery
    SQLite walked every published article for each (43 ms an article page at 100,000
    articles, 0.1 ms off the translation_of index); published_versions() applies it."""
    translated = Article.objects.filter(translation_of=OuterRef("pk"))
    return articles.annotate(has_translations=Exists(translated))


def published_versions(article):
    """The other published versions of `article` (its original, the original's other
    translations, its own translations), originals first: one query per content
    version (cached), none for an article that is no translation and has none (see
    with_translation_flag())."""

    def compute():
        group = Article.objects.published().filter(group_q(article)).exclude(pk=article.pk)
        fields = ["title", "slug", "language", "translation_of_id", "published_at"]
        return list(group.only(*fields).order_by("translation_of_id", "pk"))

    if article.translation_of_id is None and not getattr(article, "has_translations", True):
        return []
    return cache.cached(f"translations:{article.pk}", compute)


def version_links(article, versions, page_language):
    """The article page's offers: the article in the other script (a Chinese one), then
    each translation, each as {url, label, lang}; a Chinese translation is offered in
    the page's script when the page is Chinese."""
    links = []
    shown = article.language
    if shown in CHINESE:
        other = OTHER_SCRIPT[shown]
        links.append(
            {
                "url": address(article, INTERFACE_OF[other]),
                "label": SCRIPT_NAME[other],
                "lang": other,
            }
        )
    for version in versions:
        language = version.language
        if language in CHINESE and page_language in CHINESE:
            language = page_language
        links.append(
            {
                "url": address(version, INTERFACE_OF[language]),
                "label": READ_IN[language],
                "lang": language,
            }
        )
    return links


def alternate_paths(article, versions):
    """[(hreflang, path)]: every version as written, each Chinese one also in the other
    script, and x-default (the group's original; the first version in a language)."""
    links, originals = [], []
    for version in [article, *versions]:
        written = getattr(version, "written_in", version.language)
        links.append((written, original_address(version)))
        if written in CHINESE:
            other = OTHER_SCRIPT[written]
            links.append((other, address(version, INTERFACE_OF[other])))
        if version.translation_of_id is None:
            originals.append(original_address(version))
    links.append(("x-default", originals[0] if originals else original_address(article)))
    seen, unique = set(), []
    for hreflang, path in links:
        if hreflang not in seen:
            seen.add(hreflang)
            unique.append((hreflang, path))
    return unique


def alternates(request, article, versions):
    """alternate_paths() as absolute addresses, for the page's <link hreflang>."""
    return [
        (hreflang, request.build_absolute_uri(path))
        for hreflang, path in alternate_paths(article, versions)
    ]


def behind(translated):
    """The parts of `translated`'s original changed since `translated` was last edited
    (its title, standfirst, the headings of changed, added or removed sections), for the
    admin; [] when the translation is not behind."""
    original = translated.translation_of
    if original is None or original.updated_at <= translated.updated_at:
        return []
    then = (
        revisions.versions_of(original.pk)
        .filter(revision__date_created__lte=translated.updated_at)
        .first()
    )
    now = list(original.sections.all())
    try:
        state = None if then is None else revisions.version_state(then)
    except RevertError:
        state = None
    if state is None:  # no version from then: all of it may have changed
        return ["Title", *(section.heading or "Introduction" for section in now)]
    changed = [
        name
        for name, field in [("Title", "title"), ("Standfirst", "standfirst")]
        if getattr(state.article, field) != getattr(original, field)
    ]
    before = {s.anchor: (s.heading, s.body) for s in state.sections}
    changed += [
        section.heading or "Introduction"
        for section in now
        if before.get(section.anchor) != (section.heading, section.body)
    ]
    kept = {section.anchor for section in now}
    changed += [
        f"{s.heading or 'Introduction'} (removed)" for s in state.sections if s.anchor not in kept
    ]
    return changed
