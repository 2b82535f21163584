"""Draft changes to live articles and autosaved form contents: storing an edit form's
submission without touching the article, and building an unsaved article from one to
preview it. Readers' queries never read these tables (models.ArticleDraft, Autosave).
"""

import uuid

from django.http import QueryDict
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from taggit.utils import parse_tags

from . import bylines, limits
from .markdown import render_markdown
from .models import Article, ArticleDraft, Autosave, Image, Section

# Not content: the CSRF token and which button was pressed.
NOT_CONTENT = {"csrfmiddlewaretoken", "_save", "_continue", "_addanother", "_saveasnew"}
SECTIONS = "sections"
MAX_SECTIONS = 500
MAX_FIELDS = 4000


def form_data(querydict):
    """A submitted form as plain JSON: field name → list of values."""
    return {
        name: values
        for name, values in list(querydict.lists())[:MAX_FIELDS]
        if name not in NOT_CONTENT and not name.startswith("_")
    }


def drafted(querydict, form):
    """What to keep of a submitted edit form as draft changes: the fields that `form`
    lets its user change, and the sections. An Author's form has no status, publication
    time or byline, so a forged value for one is dropped, never put live by an Editor."""

    def editable(name):
        field = name if name in form.fields else name.rpartition("_")[0]  # date_0, date_1
        return field in form.fields or name.startswith(f"{SECTIONS}-")

    return {name: values for name, values in form_data(querydict).items() if editable(name)}


def with_publication(data, article):
    """Stored form data, with the live article's status, publication and expiry times
    and byline where it has none of its own (draft changes saved by an Author), so that an Editor's
    form opened on them shows the article's and "Publish changes" keeps them."""
    live = {
        "status": [article.status],
        "author": [str(article.author_id or "")],
        "bylines": [bylines.as_text(bylines.people_of(article))],
    }
    for name in ("published_at", "expires_at"):
        value = getattr(article, name)
        when = timezone.localtime(value) if value else None
        live[f"{name}_0"] = [when.strftime("%Y-%m-%d") if when else ""]
        live[f"{name}_1"] = [when.strftime("%H:%M:%S") if when else ""]
    return {**{name: values for name, values in live.items() if name not in data}, **data}


def as_querydict(data, **replace):
    """Stored form data as a QueryDict a form can be bound to; `replace` sets fields."""
    query = QueryDict(mutable=True)
    for name, values in (data or {}).items():
        if isinstance(values, list):
            query.setlist(name, [str(value) for value in values])
    for name, value in replace.items():
        query.setlist(name, [str(value)])
    return query


def save_draft(article, data, user, *, submitted=False):
    """Store `data` as the article's draft changes, with a new token."""
    now = timezone.now()
    draft, _ = ArticleDraft.objects.update_or_create(
        article=article,
        defaults={
            "data": data,
            "edited_by": user,
            "updated_at": now,
            "token": uuid.uuid4(),
            "submitted_at": now if submitted else None,
        },
    )
    return draft


def autosave(user, article_id, data):
    """Keep what `user` typed into the form of article `article_id` (None: a new one)."""
    saved, _ = Autosave.objects.update_or_create(
        user=user, article_id=article_id, defaults={"data": data, "saved_at": timezone.now()}
    )
    return saved


def autosave_of(user, article_id):
    return Autosave.objects.filter(user=user, article_id=article_id).first()


def forget_autosave(user, article_id):
    Autosave.objects.filter(user=user, article_id=article_id).delete()


def _first(data, name, default=""):
    """The first value of field `name` in stored form data or a QueryDict."""
    values = data.getlist(name) if isinstance(data, QueryDict) else data.get(name)
    return str((values or [default])[0])


def _int_or_none(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def preview_article(data, base=None, author=None):
    """An unsaved Article with its sections and tags, as the form `data` would make it,
    for the article template (nothing is written; invalid values are shown as typed).
    `base` is the saved article being edited, if any: its id, dates and byline."""
    article = Article(
        pk=base.pk if base else 0,
        title=_first(data, "title")[:200],
        slug=slugify(_first(data, "slug"), allow_unicode=True) or "preview",
        standfirst=_first(data, "standfirst"),
        status=_first(data, "status", base.status if base else Article.Status.DRAFT),
        published_at=base.published_at if base else None,
        author=base.author if base else author,
    )
    article.created_at = base.created_at if base else timezone.now()
    article.updated_at = timezone.now()
    # The lead image as chosen on the form (an unknown or junk id: none).
    lead = _int_or_none(_first(data, "lead_image"))
    article.lead_image = Image.objects.filter(pk=lead).first() if lead else None
    try:
        total = min(int(_first(data, f"{SECTIONS}-TOTAL_FORMS", "0")), MAX_SECTIONS)
    except ValueError:
        total = 0
    rows = []
    for n in range(max(total, 0)):
        prefix = f"{SECTIONS}-{n}-"
        if data.get(prefix + "DELETE"):
            continue
        heading, body = _first(data, prefix + "heading"), _first(data, prefix + "body")
        if not heading and not body and not _first(data, prefix + "id"):
            continue
        position = _int_or_none(_first(data, prefix + "position"))
        rows.append((position is None, position or 0, n, heading, body))
    sections, taken = [], set()
    for _, _, n, heading, body in sorted(rows):
        anchor = slugify(heading, allow_unicode=True)[:76] or "introduction"
        if anchor in taken:
            anchor = f"{anchor}-{n + 1}"
        taken.add(anchor)
        body = body[: limits.SECTION_BODY_MAX_LENGTH]
        sections.append(
            Section(
                article=article,
                position=len(sections),
                heading=heading[:200],
                anchor=anchor,
                body=body,
                body_html=render_markdown(body),
            )
        )
    names = parse_tags(_first(data, "tags"))[:50]
    tags = [Tag(name=name[:100], slug=slugify(name, allow_unicode=True)) for name in names]
    article._prefetched_objects_cache = {
        "sections": sections,
        "tags": tags,
        "bylines": bylines.preview_bylines(data, base),
    }
    return article
