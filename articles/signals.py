"""The one place that reacts to content changes in Python: tag slugs and the search index.

The content version, topic counts and slug redirects are the database's own business
(articles/triggers.py): they hold for writes that send no signal."""

import hashlib
import re

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from taggit.models import Tag

from . import search
from .models import Article, Section

HAS_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


@receiver(pre_save, sender=Tag)
def give_every_tag_a_usable_slug(sender, instance, raw, **kwargs):
    """A tag such as "🤖" or "!!!" slugifies to nothing (or "_1"), which no URL can
    hold; it gets a stable slug made from its name instead."""
    if not raw and not HAS_LETTER_OR_DIGIT.search(instance.slug.split("_")[0]):
        digest = hashlib.sha1(instance.name.encode()).hexdigest()[:10]
        instance.slug = f"tag-{digest}"


@receiver(post_save, sender=Section)
def index_section(sender, instance, **kwargs):
    """Every saved section (in forms, fixtures or revisions) is searchable at once.

    Publication is not indexed: searches filter on it, so publishing, unpublishing and
    scheduled times need no index change. Deleting cascades to the entry."""
    search.index_sections([instance])


@receiver(post_delete, sender=Section)
def reindex_after_section_delete(sender, instance, origin=None, **kwargs):
    """The article's document loses the section's words (unless the article itself is
    being deleted, which takes its document along)."""
    deleting = getattr(origin, "model", type(origin))
    if deleting is not Article:
        search.index_documents([instance.article_id])


@receiver(post_save, sender=Article)
def index_article(sender, instance, created, **kwargs):
    """Title, standfirst and publication time (the order of the index) are indexed."""
    search.index_article(instance)


@receiver(m2m_changed, sender=Article.tags.through)
def index_tagging(sender, instance, action, pk_set, **kwargs):
    """Tags are searchable words of their articles."""
    if action in ("post_add", "post_remove", "post_clear"):
        if isinstance(instance, Article):
            search.index_documents([instance.pk])
        else:
            for tag_id in [instance.pk, *(pk_set or ())]:
                search.index_tag(tag_id)


@receiver(post_save, sender=Tag)
def index_renamed_tag(sender, instance, created, raw, **kwargs):
    if not created and not raw:
        search.index_tag(instance.pk)
