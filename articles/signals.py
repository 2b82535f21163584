"""The one place that reacts to content changes."""

import hashlib
import re

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from taggit.models import Tag

from . import cache, search, topics
from .models import Article, Section, SlugRedirect, TaggedArticle

HAS_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


@receiver(pre_save, sender=Tag)
def give_every_tag_a_usable_slug(sender, instance, raw, **kwargs):
    """A tag such as "🤖" or "!!!" slugifies to nothing (or "_1"), which no URL can
    hold; it gets a stable slug made from its name instead."""
    if not raw and not HAS_LETTER_OR_DIGIT.search(instance.slug.split("_")[0]):
        digest = hashlib.sha1(instance.name.encode()).hexdigest()[:10]
        instance.slug = f"tag-{digest}"


@receiver(pre_save, sender=Article)
def remember_old_state(sender, instance, raw, **kwargs):
    instance._old_slug = None
    instance._publication_changed = True
    if raw or instance.pk is None:
        return
    fields = ("slug", "status", "published_at")
    old = Article.objects.filter(pk=instance.pk).values(*fields).first()
    if old and old["slug"] != instance.slug and old["status"] == Article.Status.PUBLISHED:
        instance._old_slug = old["slug"]
    if old:
        now = (instance.status, instance.published_at)
        instance._publication_changed = (old["status"], old["published_at"]) != now


@receiver(post_save, sender=Article)
def redirect_old_slug(sender, instance, raw, **kwargs):
    """A published article's old address answers 301 to its current one, however many
    times it is renamed: each redirect points at the article, not at a slug."""
    if raw:
        return
    SlugRedirect.objects.filter(old_slug=instance.slug).delete()  # the slug is live again
    old_slug = getattr(instance, "_old_slug", None)
    if old_slug:
        SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": instance})


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


@receiver(post_save, sender=Article)
def recount_topics_of_article(sender, instance, **kwargs):
    """Published, unpublished or rescheduled: its topics' counts change."""
    if getattr(instance, "_publication_changed", True):
        topics.recount_articles([instance.pk])


@receiver(post_save, sender=TaggedArticle)
@receiver(post_delete, sender=TaggedArticle)
def recount_topic(sender, instance, **kwargs):
    """A tagging added or removed (deleting an article removes its taggings first;
    deleting a tag removes its count with it)."""
    origin = kwargs.get("origin")
    if isinstance(origin, Tag) or getattr(origin, "model", None) is Tag:
        return
    topics.recount([instance.tag_id])


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
@receiver(post_save, sender=Section)
@receiver(post_delete, sender=Section)
@receiver(post_save, sender=TaggedArticle)
@receiver(post_delete, sender=TaggedArticle)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
@receiver(m2m_changed, sender=Article.tags.through)
def content_changed(sender, **kwargs):
    """Any change to what readers may see moves the content version on: cached pages
    and counts for the old version are never served again (see articles/cache.py)."""
    cache.changed()
