"""An article's versions (django-reversion): what each one holds, putting one back, and
what changed between two states, in words for the History page.

A revision may hold more than one article (older bulk actions recorded them together):
everything here reads and writes the rows of one article only.
"""

import difflib
import json
import re
from dataclasses import dataclass, field

from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils import formats, timezone
from reversion.models import Version
from taggit.models import Tag

from .models import Article, Image, Section, TaggedArticle

# As forms.STEP_ASIDE: no section position the form accepts reaches it.
STEP_ASIDE = 1_000_000
# What a restore takes from a version; the rest (id, timestamps, who edited last, the
# edit token) stays the live article's.
TEXT_FIELDS = ["title", "slug", "standfirst", "language", "status", "lead_image_id"]
PUBLICATION_FIELDS = ["published_at", "expires_at", "author_id"]
WHEN = "j M Y H:i:s"
WORD = re.compile(r"\s+|[^\s]+")


@dataclass
class State:
    """An article as a reader and an editor see it: its fields, sections in order, tags."""

    article: Article
    sections: list = field(default_factory=list)
    tag_ids: list = field(default_factory=list)
    # Fields added to Article after the version was saved: it holds no value for them.
    unstored: frozenset = frozenset()

    @property
    def tag_names(self):
        names = dict(Tag.objects.filter(pk__in=self.tag_ids).values_list("pk", "name"))
        return sorted(names[pk] for pk in self.tag_ids if pk in names)


def versions_of(article_pk):
    """The versions of one article, newest first."""
    return (
        Version.objects.get_for_object_reference(Article, article_pk)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def find_version(article_pk, version_id):
    """The version `version_id` of article `article_pk`, or None (also for bad ids)."""
    try:
        version_id = int(version_id)
    except (TypeError, ValueError):
        return None
    return versions_of(article_pk).filter(pk=version_id).first()


def find_deleted_version(version_id):
    """The last version of a deleted article, or None."""
    try:
        version_id = int(version_id)
    except (TypeError, ValueError):
        return None
    version = Version.objects.get_deleted(Article).filter(pk=version_id).first()
    if version is None or Article.objects.filter(pk=version.object_id).exists():
        return None
    return version


def version_state(version):
    """What `version` holds for its article alone, without touching the database.
    Raises reversion.errors.RevertError when the stored data no longer loads."""
    article = version._object_version.object
    stored = _stored_fields(version)
    unstored = frozenset(
        name
        for name in TEXT_FIELDS + PUBLICATION_FIELDS
        if stored is not None and name not in stored
    )
    state = State(article, unstored=unstored)
    others = version.revision.version_set.exclude(pk=version.pk).select_related("content_type")
    for other in others:
        model = other._model
        if model is Section and other.field_dict.get("article_id") == article.pk:
            state.sections.append(other._object_version.object)
        elif model is TaggedArticle and other.field_dict.get("content_object_id") == article.pk:
            state.tag_ids.append(other.field_dict["tag_id"])
    state.sections.sort(key=lambda section: (section.position, section.pk or 0))
    return state


def _stored_fields(version):
    """The attribute names the version's data holds, or None when it cannot be read."""
    if version.format != "json":
        return None
    try:
        stored = json.loads(version.serialized_data)[0]["fields"]
    except (ValueError, LookupError, TypeError):
        return None
    return {f.attname for f in Article._meta.concrete_fields if f.name in stored}


def live_state(article):
    sections = list(Section.objects.filter(article_id=article.pk).order_by("position", "pk"))
    tag_ids = list(
        TaggedArticle.objects.filter(content_object_id=article.pk).values_list("tag_id", flat=True)
    )
    return State(article, sections, tag_ids)


def restored_article(current, version_article, *, with_publication, unstored=frozenset()):
    """`current` with the version's text (and publication, for those who may set it);
    fields the version predates (`unstored`) keep the current value."""
    article = Article.objects.get(pk=current.pk)
    fields = TEXT_FIELDS + (PUBLICATION_FIELDS if with_publication else [])
    for name in (name for name in fields if name not in unstored):
        setattr(article, name, getattr(version_article, name))
    if not _user_exists(article.author_id):
        article.author_id = current.author_id  # the byline's user is gone
    if not _image_exists(article.lead_image_id):
        article.lead_image_id = current.lead_image_id  # deleted from the library since
    return article


def _image_exists(pk):
    return pk is None or Image.objects.filter(pk=pk).exists()


def _user_exists(pk):
    from django.contrib.auth import get_user_model

    return pk is None or get_user_model().objects.filter(pk=pk).exists()


def put_back_sections_and_tags(article_pk, state):
    """Make the article's sections and taggings exactly those of `state`.

    Rows are written one at a time and (article, position) and (article, anchor) are
    unique, so every row of the article first steps aside to values no restored row
    uses. A section id now held by another article's row is restored as a new row:
    nothing of another article is ever touched. Call inside a transaction.
    """
    keep = [section.pk for section in state.sections if section.pk]
    rows = Section.objects.filter(article_id=article_pk)
    rows.exclude(pk__in=keep).delete()
    rows.update(
        position=F("position") + STEP_ASIDE,
        anchor=Concat(Value("moving-"), Cast("pk", CharField())),
    )
    foreign = set(
        Section.objects.filter(pk__in=keep)
        .exclude(article_id=article_pk)
        .values_list("pk", flat=True)
    )
    for old in state.sections:
        row = Section(**{f.attname: getattr(old, f.attname) for f in Section._meta.concrete_fields})
        row.article_id = article_pk
        if row.pk in foreign:
            row.pk = None
        row.save()

    taggings = TaggedArticle.objects.filter(content_object_id=article_pk)
    taggings.exclude(tag_id__in=state.tag_ids).delete()
    present = set(taggings.values_list("tag_id", flat=True))
    for tag_id in Tag.objects.filter(pk__in=state.tag_ids).values_list("pk", flat=True):
        if tag_id not in present:  # a topic deleted since cannot come back
            TaggedArticle.objects.create(content_object_id=article_pk, tag_id=tag_id)


def insert_for_recovery(version_article):
    """Put a deleted article's row back (under a placeholder address, so that the form
    can tell the editor if another article took its slug meanwhile)."""
    row = Article(
        **{f.attname: getattr(version_article, f.attname) for f in Article._meta.concrete_fields}
    )
    row.slug = f"recovering-{row.pk}"
    for name in ("author_id", "last_edited_by_id"):
        if not _user_exists(getattr(row, name)):
            setattr(row, name, None)
            setattr(version_article, name, None)
    if not _image_exists(row.lead_image_id):
        row.lead_image_id = version_article.lead_image_id = None
    Article.objects.bulk_create([row])


# What changed, in words.


def when(moment):
    return formats.date_format(timezone.localtime(moment), WHEN)


def who(user):
    if user is None:
        return "someone"
    return user.get_username()


def snapshot(state):
    """A comparable summary of a State: plain values only."""
    article = state.article
    return {
        "title": article.title,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "language": article.language,
        "status": article.status,
        "published_at": article.published_at,
        "expires_at": article.expires_at,
        "author_id": article.author_id,
        "lead_image_id": article.lead_image_id,
        "tags": sorted(state.tag_names),
        "sections": [
            (section.pk, section.heading, section.anchor, section.body)
            for section in state.sections
        ],
    }


def _to_the_second(moment):
    # The form shows and sends times to the second: a lost fraction is no change.
    return moment.replace(microsecond=0) if moment else None


def _publication_words(before, after, now):
    was_live = before is not None and before["status"] == Article.Status.PUBLISHED
    live = after["status"] == Article.Status.PUBLISHED
    at = _to_the_second(after["published_at"])
    was_at = _to_the_second(before["published_at"]) if before else None
    if live and at and at > now:
        if not was_live or was_at != at:
            return f"Scheduled for {formats.date_format(timezone.localtime(at), 'j M Y H:i')}"
        return None
    if live and not was_live:
        return "Published"
    if live and was_at != at:
        return f"Publication time set to {formats.date_format(timezone.localtime(at), 'j M Y H:i')}"
    if was_live and not live:
        return (
            "Unpublished" if after["status"] == Article.Status.DRAFT else "Unpublished (in review)"
        )
    if before is not None and before["status"] != after["status"]:
        return {"review": "Submitted for review", "draft": "Returned to draft"}[after["status"]]
    return None


def _numbers(numbers):
    numbers = [str(n) for n in numbers]
    if len(numbers) == 1:
        return f"section {numbers[0]}"
    return f"sections {', '.join(numbers[:-1])} and {numbers[-1]}"


def _kept_in_order(old, new):
    """The ids of `new` that kept their order relative to each other: the longest run
    of common sections in the same order, preferring those whose rank among the common
    sections did not change (of a swapped first and last, the middle one stays).
    Sections that only closed up around a removed or added one, or made way for one
    that moved, are in it; quadratic in the number of sections."""
    common = set(old) & set(new)
    rank = {pk: i for i, pk in enumerate(pk for pk in old if pk in common)}
    order = [pk for pk in new if pk in common]
    best, before = [], []  # per position in `order`: (length, unmoved) and predecessor
    for j, pk in enumerate(order):
        score, came_from = (0, 0), None
        for i in range(j):
            if rank[order[i]] < rank[pk] and best[i] > score:
                score, came_from = best[i], i
        best.append((score[0] + 1, score[1] + (rank[pk] == j)))
        before.append(came_from)
    kept, j = set(), max(range(len(order)), key=best.__getitem__, default=None)
    while j is not None:
        kept.add(order[j])
        j = before[j]
    return kept


def _expiry_words(before, after):
    until = _to_the_second(after.get("expires_at"))
    was = _to_the_second(before.get("expires_at")) if before else None
    if until == was:
        return None
    if until is None:
        return "Expiry removed"
    return f"Live until {formats.date_format(timezone.localtime(until), 'j M Y H:i')}"


def describe(before, after, now=None):
    """History's words for going from snapshot `before` (None: a new article) to `after`:
    "Published", "Scheduled for 12 Feb 2026 09:00", "Edited: title, sections 2 and 3"."""
    now = now or timezone.now()
    words = []
    changes = [_publication_words(before, after, now), _expiry_words(before, after)]
    publication = ". ".join(filter(None, changes))
    if before is None:
        words.append("Created")
        if publication:
            words.append(publication)
        return ". ".join(words)
    if publication:
        words.append(publication)
    edited = [
        label
        for key, label in [
            ("title", "title"),
            ("slug", "address"),
            ("standfirst", "standfirst"),
            ("language", "language"),
            ("author_id", "byline"),
            ("lead_image_id", "lead image"),
            ("tags", "tags"),
        ]
        if before.get(key) != after.get(key)
    ]
    old_sections = {pk: rest for pk, *rest in before["sections"]}
    in_place = _kept_in_order(list(old_sections), [pk for pk, *_ in after["sections"]])
    changed = [
        number
        for number, (pk, *rest) in enumerate(after["sections"], 1)
        if pk not in in_place or old_sections[pk] != rest
    ]
    if changed:
        edited.append(_numbers(changed))
    removed = len(set(old_sections) - {pk for pk, *_ in after["sections"]})
    if removed:
        edited.append(f"{removed} section{'s' if removed > 1 else ''} removed")
    if edited:
        words.append("Edited: " + ", ".join(edited))
    return ". ".join(words) or "Saved without changes"


def restored_words(version, before, after):
    """History's words for restoring `version`, from snapshot `before` (None: the
    article was deleted and is being recovered) to `after`, saying when it also
    publishes, unpublishes or reschedules the article."""
    revision = version.revision
    verb = "Recovered" if before is None else "Restored"
    words = f"{verb} the version of {when(revision.date_created)} by {who(revision.user)}"
    publication = _publication_words(before, after, timezone.now())
    return f"{words}. {publication}" if publication else words


# Comparing two versions side by side.


def mark_words(old, new):
    """(old, new) as HTML-safe fragments with removed words in <del>, added in <ins>."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    a, b = WORD.findall(old or ""), WORD.findall(new or "")
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        gone, came = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(gone)
            right.append(came)
            continue
        if gone:
            left.append(f"<del>{gone}</del>")
        if came:
            right.append(f"<ins>{came}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))


def mark_names(old, new):
    """(old, new) lists of names as HTML: each name whole, those taken out in <del>,
    those added in <ins>, the ones both have plain (a word diff of the joined lists
    would mark a kept topic whose neighbours changed)."""
    from django.utils.html import format_html, format_html_join

    def side(names, others, tag):
        marked = f"<{tag}>{{}}</{tag}>"
        return format_html_join(
            ", ", "{}", ((format_html("{}" if n in others else marked, n),) for n in names)
        )

    return side(old, set(new), "del"), side(new, set(old), "ins")


def _status_text(article):
    if article.status == Article.Status.PUBLISHED and article.published_at:
        if article.published_at > timezone.now():
            return f"Scheduled for {when(article.published_at)}"
    label = article.get_status_display()
    if article.published_at:
        label += f", {when(article.published_at)}"
    return label


def _image_text(article):
    if article.lead_image_id is None:
        return "none"
    image = Image.objects.filter(pk=article.lead_image_id).first()
    return str(image) if image else f"#{article.lead_image_id} (deleted from the library)"


def comparison(old, new):
    """Rows of (label, old HTML, new HTML, changed) for two States, sections matched by id."""
    rows = []

    def add(label, a, b):
        left, right = mark_words(a, b)
        rows.append({"label": label, "old": left, "new": right, "changed": a != b})

    add("Title", old.article.title, new.article.title)
    add("Address", old.article.slug, new.article.slug)
    add("Standfirst", old.article.standfirst, new.article.standfirst)
    add("Language", old.article.get_language_display(), new.article.get_language_display())
    add("Status and time", _status_text(old.article), _status_text(new.article))
    add("Lead image", _image_text(old.article), _image_text(new.article))
    old_tags, new_tags = old.tag_names, new.tag_names
    left, right = mark_names(old_tags, new_tags)
    rows.append({"label": "Tags", "old": left, "new": right, "changed": old_tags != new_tags})
    olds = {section.pk: (n, section) for n, section in enumerate(old.sections, 1)}
    seen = set()
    for n, section in enumerate(new.sections, 1):
        before = olds.get(section.pk)
        seen.add(section.pk)
        text = f"{section.heading}\n{section.body}"
        old_text = f"{before[1].heading}\n{before[1].body}" if before else ""
        label = (
            f"Section {n}" if before is None or before[0] == n else f"Section {n} (was {before[0]})"
        )
        add(label, old_text, text)
    for pk, (n, section) in olds.items():
        if pk not in seen:
            add(f"Section {n} (removed)", f"{section.heading}\n{section.body}", "")
    return rows
