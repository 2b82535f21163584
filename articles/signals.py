"""The one place that reacts to content changes."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .models import Article, SlugRedirect


@receiver(pre_save, sender=Article)
def remember_old_slug(sender, instance, raw, **kwargs):
    instance._old_slug = None
    if raw or instance.pk is None:
        return
    old = Article.objects.filter(pk=instance.pk).values("slug", "status").first()
    if old and old["slug"] != instance.slug and old["status"] == Article.Status.PUBLISHED:
        instance._old_slug = old["slug"]


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
