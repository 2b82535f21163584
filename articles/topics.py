"""Topic counts: how many articles readers can see with each tag.

Counting at read time takes a quarter of a second for the whole topic list at 100,000
articles, so database triggers keep, per tag, the number of its articles in the live
state (`TopicCount`, see articles/triggers.py), exact in every transaction whichever
way it writes. What readers see at this moment is that count less the tag's waiting
articles (in the live state but not visible yet, e.g. scheduled), found by the
published rule itself: a few rows, and no write when a scheduled time passes.
"""

from django.db import transaction
from django.db.models import Count
from taggit.models import Tag

from . import search
from .cache import cached
from .models import TaggedArticle, TopicCount, TopicRedirect, waiting_q
from .search.text import spellings


def waiting():
    """{tag id: how many of its live-state articles readers cannot see yet}; one query."""
    rows = (
        TaggedArticle.objects.filter(waiting_q("content_object__"))
        .values_list("tag_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def visible_count(tag):
    """How many published articles readers can see with `tag`; two small queries."""
    stored = TopicCount.objects.filter(tag=tag).values_list("articles", flat=True).first()
    return (stored or 0) - waiting().get(tag.pk, 0)


class Topic:
    """A tag in the topic list: what its readers are shown of it. Read as values: the
    topic index's 328 Tag instances took 1.7 ms of its 10 with nothing cached."""

    def __init__(self, pk, name, slug, article_count):
        self.pk = self.id = pk
        self.name, self.slug, self.article_count = name, slug, article_count

    def __repr__(self):
        return f"<Topic {self.slug}: {self.article_count}>"


def topics(limit=None):
    """Topics (tags with published articles), each with `article_count`, most used first
    then by name; two queries whatever the number of tags or articles."""
    hidden = waiting()
    tags = (
        Tag.objects.filter(topic_count__articles__gt=0)
        .order_by("-topic_count__articles", "name")
        .values_list("pk", "name", "slug", "topic_count__articles")
    )
    if limit is not None:
        # Only the waiting articles' tags can fall, each below at most one tag further down.
        tags = tags[: limit + len(hidden)]
    found = []
    for pk, name, slug, count in tags:
        count -= hidden.get(pk, 0)
        if count > 0:
            found.append(Topic(pk, name, slug, count))
    found.sort(key=lambda tag: (-tag.article_count, tag.name))
    return found if limit is None else found[:limit]


def all_topics():
    """Every topic with published articles and their counts, by name; once per state."""
    return cached("tags:all", lambda: sorted(topics(), key=lambda tag: tag.name))


def popular_topics(limit=12):
    """The most used topics with their counts; once per state."""
    return cached(f"tags:popular:{limit}", lambda: topics(limit))


def find_tag(slug):
    """The tag with this slug, else one whose slug is the same words in the other
    Chinese script (网络安全 and 網絡安全, 人工智能 and 人工智慧); one query."""
    candidates = spellings(slug)
    tags = Tag.objects.filter(slug__in=candidates).select_related("profile")
    found = {tag.slug: tag for tag in tags}
    return next((found[c] for c in [slug, *candidates] if c in found), None)


def moved_tag(slug):
    """The topic that had this slug (or its other-script spelling) before it was
    renamed or merged, or None; one query. Redirects name the topic itself, so a chain
    of renames, or a rename back, leads to the topic as it is now."""
    candidates = spellings(slug)
    moved = TopicRedirect.objects.filter(old_slug__in=candidates).select_related("tag")
    found = {redirect.old_slug: redirect.tag for redirect in moved}
    return next((found[c] for c in [slug, *candidates] if c in found), None)


def merge_tags(keep, others):
    """Move every article's tagging from `others` to `keep`, then delete `others`."""
    names = [tag.name for tag in others]
    with transaction.atomic():
        # Their addresses, and those they had before, lead to the kept topic (a rename's
        # are written by a trigger; a merge is a delete, which cannot say where to).
        TopicRedirect.objects.filter(tag__in=others).update(tag=keep)
        for tag in others:
            TopicRedirect.objects.update_or_create(old_slug=tag.slug, defaults={"tag": keep})
        already = TaggedArticle.objects.filter(tag=keep).values("content_object_id")
        TaggedArticle.objects.filter(tag__in=others, content_object_id__in=already).delete()
        duplicates = (
            TaggedArticle.objects.filter(tag__in=others)
            .values("content_object_id")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        for row in duplicates:  # an article tagged with two of the merged tags
            extra = TaggedArticle.objects.filter(
                tag__in=others, content_object_id=row["content_object_id"]
            ).order_by("pk")[1:]
            TaggedArticle.objects.filter(pk__in=[t.pk for t in extra]).delete()
        TaggedArticle.objects.filter(tag__in=others).update(tag=keep)
        Tag.objects.filter(pk__in=[tag.pk for tag in others]).delete()
        search.index_tag(keep.pk)  # the merged names leave their articles' documents
    return names
