"""Bylines: the people named on an article, in order, each with an author page.

`Article.author` stays the login that owns an article (articles/roles.py); the people
in its byline (`Person`, through `Byline`) are who readers see. An article naming no
one is signed by the site (`Article.byline`).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.text import slugify

from .models import Article, Byline, Person

MAX_PEOPLE = 10
SEPARATOR = ","


# Where a list of cards keeps each article's bylines (loading.cards()): as a list, not
# in `bylines`, where Django makes a queryset per article only to hold them (0.45 ms of
# a page of ten cards with nothing cached).
CARDS = "card_bylines"


def prefetch(to_attr=None):
    """Each article's bylines with their people, in order: one query for any number."""
    return Prefetch("bylines", queryset=Byline.objects.select_related("person"), to_attr=to_attr)


def people(article):
    """The article's people in byline order, from whichever prefetch loaded them."""
    shown = getattr(article, CARDS, None)
    return article.people if shown is None else [byline.person for byline in shown]


def published_count(person):
    """How many published articles name `person`: one query, from their bylines (one
    per article), each article looked up by its id under the published rule. Counted
    from the published articles joined to the bylines, SQLite walked every published
    article: 40 ms at 100,000 articles for 429 of them, 0.6 ms so (tests/test_query_plans.py)."""
    published = Article.objects.published().filter(pk=OuterRef("article_id"))
    return Byline.objects.filter(person=person).filter(Exists(published)).count()


def unique_slug(name, fallback="author"):
    """A slug of `name` no person has (the rule migration 0020 repeats)."""
    base = slugify(name, allow_unicode=True)[:180].strip("-") or fallback
    taken = set(
        Person.objects.filter(Q(slug=base) | Q(slug__startswith=f"{base}-")).values_list(
            "slug", flat=True
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def person_for(user):
    """The profile of staff user `user`, made from their name the first time."""
    person = Person.objects.filter(user=user).first()
    if person is not None:
        return person
    name = (user.get_full_name() or user.get_username())[: Person.NAME_MAX_LENGTH]
    return Person.objects.create(name=name, slug=unique_slug(name, f"author-{user.pk}"), user=user)


def set_bylines(article, people):
    """Name `people` (in order) on `article`, replacing its bylines."""
    with transaction.atomic():
        Byline.objects.filter(article=article).delete()
        Byline.objects.bulk_create(
            [Byline(article=article, person=person, position=n) for n, person in enumerate(people)]
        )


def people_of(article):
    """The saved article's people, in order; one query."""
    return [byline.person for byline in article.bylines.select_related("person")]


def as_text(people):
    return f"{SEPARATOR} ".join(person.slug for person in people)


def find_people(text):
    """The people named in `text` (slugs or names, separated by commas), in order;
    ValidationError naming any that no author page has."""
    wanted = [part.strip() for part in text.split(SEPARATOR)]
    wanted = list(dict.fromkeys(part for part in wanted if part))
    if len(wanted) > MAX_PEOPLE:
        raise ValidationError(f"A byline names at most {MAX_PEOPLE} people.")
    if any(len(part) > Person.NAME_MAX_LENGTH for part in wanted):
        raise ValidationError("No author page has a name that long.")
    if not wanted:
        return []
    lowered = [part.lower() for part in wanted]
    found = Person.objects.filter(Q(slug__in=wanted) | Q(name__in=wanted))
    by_key = {}
    for person in found:
        by_key.setdefault(person.slug.lower(), person)
        by_key.setdefault(person.name.lower(), person)
    missing = [part for part, key in zip(wanted, lowered, strict=True) if key not in by_key]
    if missing:
        raise ValidationError(
            f"No author page for “{missing[0]}”. Give each author's address (slug) or "
            "name as in Author profiles, separated by commas."
        )
    return list(dict.fromkeys(by_key[key] for key in lowered))


class BylinesField(forms.CharField):
    """The article form's bylines: author pages by slug or name, in order."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault(
            "help_text",
            "The authors readers see, in order: their author pages' slugs or names, "
            "separated by commas. Empty: the article is signed by the site.",
        )
        super().__init__(**kwargs)

    def clean(self, value):
        return find_people(super().clean(value))


class BylinesFormMixin(forms.ModelForm):
    """An article form with a `bylines` field (Editors' form: they choose the byline)."""

    bylines = BylinesField(label="Bylines")
    # Set on save: whether the people named changed (History says so).
    bylines_changed = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["bylines"].initial = as_text(self.instance.people)

    def _save_m2m(self):
        super()._save_m2m()
        # Absent from the data (a form posted without the field): the byline stays.
        if "bylines" in self.data:
            people = self.cleaned_data["bylines"]
            self.bylines_changed = people != people_of(self.instance)
            if self.bylines_changed:
                set_bylines(self.instance, people)


def preview_bylines(data, base):
    """The bylines an unsaved preview shows: those named in form data `data` (slugs or
    names), else the saved article's; names nobody has are left out."""
    values = data.getlist("bylines") if hasattr(data, "getlist") else data.get("bylines")
    if values is None or not isinstance(values, list):
        return list(base.bylines.select_related("person")) if base else []
    try:
        people = find_people(str((values or [""])[0]))
    except ValidationError:
        people = []
    return [Byline(person=person, position=n) for n, person in enumerate(people)]
