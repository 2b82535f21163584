import math
import re
import uuid

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from .markdown import render_markdown

ANCHOR_MAX_LENGTH = 80
# Ids the page itself uses; a section anchor may not take them.
RESERVED_ANCHORS = frozenset({"main", "toc-title", "related-title"})
TAG_NAME_MAX_LENGTH = 100
LATIN_WORD = re.compile(r"[^\W\d_\u3400-\u9fff\uf900-\ufaff]+(?:['’-][^\W_]+)*|\d+")
CJK_CHARACTER = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
WORDS_PER_MINUTE = 230
CJK_CHARACTERS_PER_MINUTE = 400


def published_q(prefix=""):
    """What the public may see: published status, publication time passed. `prefix`
    reaches the article through a relation ("content_object__")."""
    now = timezone.now()
    return models.Q(
        **{f"{prefix}status": Article.Status.PUBLISHED, f"{prefix}published_at__lte": now}
    )


def published_sql_condition(alias):
    """published_q() as SQL on the article table aliased `alias`: (sql, params)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    condition = f"{alias}.status = %s AND {alias}.published_at <= %s"
    return condition, [Article.Status.PUBLISHED, now]


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_q())


@reversion.register()
class TaggedArticle(TaggedItemBase):
    """Through model with a real foreign key, so tag queries join on indexed integers."""

    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = "tagged article"
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")
        ]
        indexes = [
            # A topic's articles, newest added first, off the index alone (related articles).
            models.Index(fields=["tag", "content_object"], name="tagged_article_by_tag")
        ]


@reversion.register(follow=["sections", "tagged_items"])
class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=True,
        help_text="The article's address: /articles/<slug>/. Filled from the title.",
    )
    standfirst = models.TextField(
        blank=True, help_text="One or two sentences under the title; used in lists and previews."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When readers first see it. A time in the future schedules the article.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # A new random value on every save: an edit form that carries an older one was
    # opened before someone else's save and is refused (see forms.ArticleForm).
    edit_token = models.UUIDField(default=uuid.uuid4, editable=False)
    tags = TaggableManager(through=TaggedArticle, blank=True, ordering=["name"])

    objects = PublishedQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            # published() ordered newest first, ties by id, walked straight off the index.
            models.Index(fields=["status", "published_at", "id"], name="article_published_order")
        ]
        permissions = [("publish_article", "Can publish, unpublish and schedule articles")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.edit_token = uuid.uuid4()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "edit_token"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        """published() for one article: admin column, preview banner."""
        at, live = self.published_at, self.status == self.Status.PUBLISHED
        return live and at is not None and at <= timezone.now()

    @property
    def modified_at(self):
        """When readers last saw it change: its last edit, or its publication if later
        (a scheduled article appears without an edit)."""
        return max(filter(None, [self.updated_at, self.published_at]))

    @property
    def is_scheduled(self):
        at = self.published_at
        return self.status == self.Status.PUBLISHED and at is not None and at > timezone.now()

    @property
    def byline(self):
        if self.author is None:
            return settings.SITE_NAME
        return self.author.get_full_name() or self.author.get_username()

    @property
    def reading_minutes(self):
        """Minutes to read the sections (use with prefetched sections: no extra query)."""
        words = characters = 0
        for section in self.sections.all():
            text = f"{section.heading} {section.body}"
            words += len(LATIN_WORD.findall(text))
            characters += len(CJK_CHARACTER.findall(text))
        minutes = words / WORDS_PER_MINUTE + characters / CJK_CHARACTERS_PER_MINUTE
        return max(1, math.ceil(minutes))


class SlugRedirect(models.Model):
    """An address a published article had before its slug changed: answered with 301."""

    old_slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"


@reversion.register()
class Section(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    heading = models.CharField(
        max_length=200, blank=True, help_text="Leave blank for an introduction."
    )
    anchor = models.SlugField(
        max_length=ANCHOR_MAX_LENGTH,
        blank=True,
        allow_unicode=True,
        help_text="Link target within the article (#anchor). Filled from the heading.",
    )
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="unique_section_position"),
            models.UniqueConstraint(fields=["article", "anchor"], name="unique_section_anchor"),
        ]

    def __str__(self):
        return self.heading or "Introduction"

    def save(self, *args, **kwargs):
        if not self.anchor:
            taken = set()
            if self.article_id:
                taken = set(
                    Section.objects.filter(article_id=self.article_id)
                    .exclude(pk=self.pk)
                    .values_list("anchor", flat=True)
                )
            self.anchor = unique_anchor(self.heading, taken)
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#{self.anchor}"


class SearchEntry(models.Model):
    """One section's searchable text with its article's title and standfirst.

    Kept in step by articles/signals.py; the engine's own index is built on this table
    (FTS5 on SQLite, GIN full-text and trigram indexes on PostgreSQL; migration 0004).
    Publication is not stored here: searches filter with `Article.objects.published()`.
    """

    section = models.OneToOneField(Section, on_delete=models.CASCADE, related_name="search_entry")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    title = models.TextField()
    standfirst = models.TextField(blank=True)
    heading = models.TextField(blank=True)
    body = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "search entries"

    def __str__(self):
        return f"{self.title} § {self.heading}"


class TopicCount(models.Model):
    """How many articles readers can see with this tag (published, time passed).

    Counting them at read time takes tens of milliseconds for a popular topic at
    100,000 articles, and hundreds for the whole topic list; the counts are kept here
    instead, in the same transaction as every change (articles/topics.py)."""

    tag = models.OneToOneField(
        "taggit.Tag", on_delete=models.CASCADE, primary_key=True, related_name="topic_count"
    )
    articles = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.tag_id}: {self.articles}"


class ContentVersion(models.Model):
    """One row that changes whenever public content may have changed.

    Cached pages are keyed on `version`, so a cache entry is never served after the
    content it shows has changed, on any worker or server. `next_publication` is the
    earliest scheduled time, so that moment also counts as a change (articles/cache.py).
    """

    # Plain integers (since 1970: `changed` in seconds, `next_publication` in ms): read
    # on every request, they need no conversion on any engine.
    version = models.BigIntegerField(default=1)
    changed = models.BigIntegerField(default=0)
    next_publication = models.BigIntegerField(null=True, blank=True)

    def __str__(self):
        return f"content version {self.version}"


def unique_anchor(heading, taken):
    """A slug of the heading ("introduction" when blank) that is not in `taken`."""
    base = slugify(heading, allow_unicode=True)[: ANCHOR_MAX_LENGTH - 4].strip("-")
    base = base or "introduction"
    anchor, n = base, 2
    while anchor in taken or anchor in RESERVED_ANCHORS:
        anchor, n = f"{base}-{n}", n + 1
    return anchor


def check_tag_names(names):
    """Raise ValidationError naming any tag too long to store."""
    too_long = [name for name in names if len(name) > TAG_NAME_MAX_LENGTH]
    if too_long:
        raise ValidationError(
            f"A topic name has at most {TAG_NAME_MAX_LENGTH} characters; "
            f"this one has {len(too_long[0])}: {too_long[0][:40]}…"
        )
