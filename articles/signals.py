"""The one place that reacts to content changes in Python: tag slugs and the search index.

The content version, topic counts and slug redirects are the database's own business
(articles/triggers.py): they hold for writes that send no signal."""

import hashlib
import re

from django.db.models.signals import post_save, pre_save
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


@receiver(post_save, sender=Article)
def index_article(sender, instance, created, **kwargs):
    if not created:
        search.index_article(instance)
