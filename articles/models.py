import datetime
import functools
import html as htmllib
import math
import operator
import re
import uuid

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from . import limits, links
from .markdown import render_markdown
from .prepared import Prepared

ANCHOR_MAX_LENGTH = 80
# Ids the page itself uses; a section anchor may not take them.
RESERVED_ANCHORS = frozenset({"main", "toc-title", "related-title"})
TAG_NAME_MAX_LENGTH = 100
TOPIC_DESCRIPTION_MAX_LENGTH = 2000
LATIN_WORD = re.compile(r"[^\W\d_\u3400-\u9fff\uf900-\ufaff]+(?:['’-][^\W_]+)*|\d+")
CJK_CHARACTER = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
WORDS_PER_MINUTE = 230
CJK_CHARACTERS_PER_MINUTE = 400
# At most this many articles pinned to lead the home page (LeadStory).
LEAD_STORIES = 3


def published_q(prefix="", now=None):
    """What the public may see: the rule, written once. Every query, count, SQL string and
    trigger is built from it (see `published_sql_condition`, articles/topics.py and
    articles/triggers.py). `prefix` reaches the article through a relation
    ("content_object__"); `now` defaults to the current time.

    The rule has a stored part (`live_state_q`: what triggers keep counts of) and a part
    that depends on the time (`time_q`); an article whose stored part holds but that is
    not yet visible is "waiting" (`waiting_q`), e.g. scheduled for later."""
    return live_state_q(prefix) & time_q(prefix, now)[0]


def live_state_q(prefix=""):
    """The part of `published_q` that only a write can change: published status."""
    return models.Q(**{f"{prefix}status": Article.Status.PUBLISHED})


def time_q(prefix="", now=None):
    """(shown, not shown): the time part of the rule and its exact complement, side by
    side, the complement as a tuple of disjoint parts. Shown: published by now and not
    expired by now (`expires_at`, optional). Not shown: scheduled for later, without a
    time, or expired (`expired_q`). Written out rather than negated (`~shown`), so that
    finding the waiting articles is a range on an index for each part: the
    (status, published_at) one for the scheduled, the expiry index for the expired;
    negated, it read every published article (30 ms at 100,000). A test checks that
    they partition."""
    now = timezone.now() if now is None else now
    at, until = f"{prefix}published_at", f"{prefix}expires_at"
    shown = models.Q(**{f"{at}__lte": now}) & (
        models.Q(**{f"{until}__isnull": True}) | models.Q(**{f"{until}__gt": now})
    )
    later, undated = models.Q(**{f"{at}__gt": now}), models.Q(**{f"{at}__isnull": True})
    return shown, (later, undated, expired_q(prefix, now))


def expired_q(prefix="", now=None):
    """The part of the complement that time adds to without a write: published, then
    expired. A range of the expiry index on `expires_at`; the publication time, read
    from the same index, keeps it apart from the undated and the scheduled (which the
    CHECK constraint `article_expires_after_publication` makes sure of already)."""
    now = timezone.now() if now is None else now
    return models.Q(**{f"{prefix}expires_at__lte": now, f"{prefix}published_at__lte": now})


def waiting_q(prefix="", now=None):
    """Articles in the live state that readers cannot see: scheduled ones, published
    ones without a time, and expired ones. Each part carries the stored part, so that the
    planner takes the index for each (SQLite's multi-index OR)."""
    live = live_state_q(prefix)
    return functools.reduce(operator.or_, (live & part for part in time_q(prefix, now)[1]))


def published_sql_condition(alias, now=None):
    """published_q() as SQL on the article table aliased `alias`: (sql, params),
    compiled from the rule by the ORM, never retyped."""
    query = Article.objects.filter(published_q(now=now)).query
    where, params = query.get_compiler(connection=connection).compile(query.where)
    table = connection.ops.quote_name(Article._meta.db_table)
    return where.replace(f"{table}.", f"{alias}."), list(params)


class PublishedQuerySet(models.QuerySet):
    def published(self, now=None):
        return self.filter(published_q(now=now))


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

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        TRADITIONAL_CHINESE = "zh-Hant-HK", "Traditional Chinese (Hong Kong)"
        SIMPLIFIED_CHINESE = "zh-Hans", "Simplified Chinese"

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
    language = models.CharField(
        max_length=10,
        choices=Language,
        default=Language.ENGLISH,
        db_default=Language.ENGLISH,  # also for rows inserted outside the ORM
        help_text="The language the article is written in. Left blank, it is found from the text.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When readers first see it. A time in the future schedules the article.",
    )
    # Optional: when readers stop seeing it, everywhere at once, with no write at that
    # moment (the time part of `published_q`).
    expires_at = models.DateTimeField(
        "live until",
        null=True,
        blank=True,
        help_text="Optional. At this time the article leaves the site: its page, lists, "
        "topics, search, feeds, sitemap and API. Leave blank to keep it.",
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
    # PROTECT: an image in use cannot be deleted (the admin lists the articles using it).
    lead_image = models.ForeignKey(
        "Image",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_of",
        help_text="Shown above the article, on its cards and when it is shared.",
    )
    # One level: an original is never itself a translation, so links cannot loop (the
    # constraint and migration 0019's triggers hold it for every writer; forms say why).
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name="translation of",
        help_text="The article this one translates. Readers of each are offered the other.",
    )

    objects = PublishedQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            # published() ordered newest first, ties by id, walked straight off the index.
            models.Index(fields=["status", "published_at", "id"], name="article_published_order"),
            # The expired articles (`expired_q`) and the next expiry (articles/cache.py),
            # a range each; only the articles that have an expiry are in it.
            models.Index(
                fields=["status", "expires_at", "published_at"],
                condition=models.Q(expires_at__isnull=False),
                name="article_expiry",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True)
                | models.Q(published_at__isnull=True)
                | models.Q(expires_at__gt=models.F("published_at")),
                name="article_expires_after_publication",
            ),
            models.CheckConstraint(
                condition=~models.Q(translation_of=models.F("id")),
                name="article_not_a_translation_of_itself",
            ),
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
        return links.slug_address("articles:detail", self.slug)  # reverse(), once a shape

    def clean(self):
        super().clean()
        original = self.translation_of
        if original is None:
            return
        if self.pk is not None and original.pk == self.pk:
            raise ValidationError({"translation_of": "An article cannot translate itself."})
        if original.translation_of_id is not None:
            raise ValidationError(
                {
                    "translation_of": f"“{original}” is itself a translation: link this "
                    f"article to its original, “{original.translation_of}”."
                }
            )
        if self.pk is not None and self.translations.exists():
            raise ValidationError(
                {
                    "translation_of": "Other articles translate this one: it is an original "
                    "and cannot be a translation too."
                }
            )

    @property
    def is_published(self):
        """published() for one article: admin column, preview banner."""
        at, live, now = self.published_at, self.status == self.Status.PUBLISHED, timezone.now()
        return live and at is not None and at <= now and not self.has_expired(now)

    def has_expired(self, now=None):
        """Its expiry time has come (whatever its status)."""
        now = timezone.now() if now is None else now
        return self.expires_at is not None and self.expires_at <= now

    @property
    def is_expired(self):
        """Was published and has expired: the admin's "Expired"."""
        at = self.published_at
        return self.status == self.Status.PUBLISHED and at is not None and self.has_expired()

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
    def people(self):
        """The article's authors in byline order (use with `bylines` prefetched along
        with their people: no extra query)."""
        return [byline.person for byline in self.bylines.all()]

    @property
    def byline(self):
        """Its authors' names, in order; the site when it names no one."""
        names = [person.name for person in self.people]
        return ", ".join(names) if names else settings.SITE_NAME

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


class LeadStory(models.Model):
    """An article an Editor pinned to lead the home page, at a place in a short ordered
    set. The data holds the limits: a place from 1 to LEAD_STORIES, each place and
    each article at most once. A pinned article leads only while readers can see it
    (`leading()`); without one the newest leads. Its table moves the content version
    (articles/triggers.py): a pin shows at once."""

    position = models.PositiveSmallIntegerField(
        "place",
        unique=True,
        choices=[(n, str(n)) for n in range(1, LEAD_STORIES + 1)],
        help_text="1 leads the home page; 2 and 3 follow it.",
    )
    article = models.OneToOneField("Article", on_delete=models.CASCADE, related_name="lead_story")
    pinned_at = models.DateTimeField(auto_now_add=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["position"]
        verbose_name = "home page lead"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(position__gte=1, position__lte=LEAD_STORIES),
                name="lead_story_place_in_range",
                violation_error_message=f"Choose a place from 1 to {LEAD_STORIES}.",
            )
        ]

    def __str__(self):
        return f"{self.position}: {self.article}"


def _pinned():
    return (
        Article.objects.select_related("lead_image")
        .filter(lead_story__isnull=False)
        .order_by("lead_story__position")
    )


# Compiled once (prepared.py): 0.6 ms a call built by the ORM, 0.1 so.
_PINNED = Prepared(_pinned)


def leading():
    """The pinned articles readers can see, in their places, each with its lead image:
    the published rule, so a draft, scheduled or expired pin does not lead (and one that
    expires stops leading at that moment, with no write). Read from the pins (at most
    LEAD_STORIES), each tested with the rule for one article (`is_published`): with
    published() in the query, SQLite walked every published article to find them (40 ms
    at 100,000 articles, 0.25 ms so)."""
    return [article for article in _PINNED() if article.is_published]


class Person(models.Model):
    """Someone named in bylines, with a public page (/authors/<slug>/). `user` is the
    staff account that edits this profile, if any; ownership of articles stays with
    `Article.author` (the login, used by articles/roles.py)."""

    NAME_MAX_LENGTH = 200
    BIO_MAX_LENGTH = 2000

    name = models.CharField(max_length=NAME_MAX_LENGTH, help_text="As shown in bylines.")
    slug = models.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=True,
        help_text="The author page's address: /authors/<slug>/. Filled from the name.",
    )
    bio = models.TextField(
        max_length=BIO_MAX_LENGTH,
        blank=True,
        help_text="A few sentences shown on the author page.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        help_text="The staff account that may edit this profile.",
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "author profile"
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="person_name_not_blank"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return links.slug_address("articles:author", self.slug)


class Byline(models.Model):
    """One person named on one article, at `position` (0 first)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    # PROTECT: a person named on articles is not deleted by accident with their byline.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "person"], name="unique_byline_person"),
            models.UniqueConstraint(fields=["article", "position"], name="unique_byline_position"),
        ]
        indexes = [
            # An author page: the person's articles, off the index.
            models.Index(fields=["person", "article"], name="byline_by_person")
        ]

    def __str__(self):
        return f"{self.person_id} on article {self.article_id}"


class SlugRedirect(models.Model):
    """An address a published article had before its slug changed: answered with 301."""

    old_slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"


class ArticleDraft(models.Model):
    """Changes to an article that readers do not see yet: the edit form as submitted
    (field name → list of values), shown in the form until an Editor publishes or
    discards it. Its own table, with no trigger and no revision: a draft save never
    moves the content version, the topic counts or what any public query returns."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="draft"
    )
    data = models.JSONField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField()
    # As Article.edit_token: a new value on every save of the draft (forms.ArticleForm).
    token = models.UUIDField(default=uuid.uuid4)
    submitted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"draft changes to article {self.article_id}"


class ReviewStep(models.Model):
    """One step of an article's review, with its comment: submitted, withdrawn, changes
    requested, approved, returned to draft (articles/review.py writes them all). A
    submission is `waiting` until the step that ends it; the database holds at most one
    waiting submission per article, and only a submission may wait."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        WITHDRAWN = "withdrawn", "Withdrawn from review"
        CHANGES_REQUESTED = "changes", "Changes requested"
        APPROVED = "approved", "Approved and published"
        RETURNED = "returned", "Returned to draft"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="review_steps")
    action = models.CharField(max_length=10, choices=Action)
    # Draft changes of a live article (models.ArticleDraft), not the article itself.
    of_changes = models.BooleanField(default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()
    comment = models.TextField(blank=True, max_length=limits.REVIEW_COMMENT_MAX_LENGTH)
    waiting = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(waiting=True),
                name="one_waiting_review_per_article",
            ),
            models.CheckConstraint(
                condition=models.Q(waiting=False) | models.Q(action="submitted"),
                name="only_a_submission_waits",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    action__in=["submitted", "withdrawn", "changes", "approved", "returned"]
                ),
                name="review_step_action_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(action="changes") | ~models.Q(comment=""),
                name="changes_requested_with_a_comment",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("comment"), limits.REVIEW_COMMENT_MAX_LENGTH),
                name="review_comment_length",
            ),
        ]
        indexes = [
            # The admin index's "Waiting for review", oldest first, off a small index.
            models.Index(fields=["at"], condition=models.Q(waiting=True), name="reviews_waiting")
        ]

    def __str__(self):
        return f"{self.get_action_display()}: article {self.article_id}"


class OutgoingMail(models.Model):
    """One notification to one address, written in the transaction of the editorial
    action it tells of and sent once that commits (articles/mail.py). A failed send
    keeps its error here: it is shown and retried in the admin, retried after the next
    editorial action, and by `manage.py send_outbox`."""

    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # A sender has taken the row: another one leaves it alone until this is old.
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outgoing email"
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True),
                name="outgoing_mail_unsent",
            )
        ]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class PreviewLink(models.Model):
    """A secret address at which anyone may see an article's unpublished state (its
    draft changes, or the draft itself) until `expires_at`, unless revoked. Only the
    SHA-256 of the token is stored (articles/previews.py): the address is shown once,
    when it is made, and a copy of this table opens nothing."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    token_hash = models.CharField(max_length=64, unique=True)
    # The token's first characters, to tell links apart in the list (not enough to open one).
    hint = models.CharField(max_length=8)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"preview link {self.hint}… to article {self.article_id}"

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()


class Autosave(models.Model):
    """What one user last typed into one article's form (`article` None: the add form),
    stored as they type and offered back after a reload, a crash or a new sign-in."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    data = models.JSONField()
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="one_autosave_per_article"),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(article__isnull=True),
                name="one_new_article_autosave",
            ),
        ]

    def __str__(self):
        return f"autosave of {self.user_id} for article {self.article_id}"


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


class SearchDocument(models.Model):
    """One article's searchable text, all of it, as tokens (articles/search/text.py):
    a search matches when its words are anywhere in the article. The engine's own index
    is built on this table (FTS5 on SQLite, a GIN-indexed tsvector on PostgreSQL;
    migration 0011). `sort_key` orders documents by publication time (see
    search.sort_key), so the newest matches are read first."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    sort_key = models.BigIntegerField(unique=True)
    title = models.TextField()
    standfirst = models.TextField(blank=True)
    headings = models.TextField(blank=True)
    body = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    # PostgreSQL only: the neighbouring words no token joins, a line each (search/text.py
    # `links`), indexed as they are in `link_vector` (migration 0026). Null on SQLite:
    # a nullable column is added there in place, where a NOT NULL one rewrites the table.
    links = models.TextField(null=True, blank=True)  # noqa: DJ001

    def __str__(self):
        return f"search document of article {self.article_id}"


class SearchIndexState(models.Model):
    """Which way of preparing text (`search.INDEX_FORMAT`) the search entries were made
    with: after every migrate, an index made another way is rebuilt (articles/apps.py),
    so migrations never need the indexing code."""

    format = models.CharField(max_length=40)

    def __str__(self):
        return f"search index format {self.format}"


class SearchWord(models.Model):
    """An English word of the site's text, as readers type it (folded, not stemmed): the
    vocabulary "Did you mean" picks from (articles/search/spelling.py). Written with the
    search index, never deleted but by a rebuild; a suggestion is only offered when its
    search finds published articles, so a word of a draft or a deleted article shows nothing."""

    word = models.CharField(max_length=40, primary_key=True)
    length = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["length", "word"], name="articles_searchword_length")]

    def __str__(self):
        return self.word


class SearchToken(models.Model):
    """Every token other than Chinese the search documents hold (or held): a query's
    word that matches from its start is looked up here and searched as those whole
    tokens (articles/search/prefixes.py). Written with the documents, never deleted but
    by a rebuild: a token no document holds any more only matches nothing."""

    token = models.CharField(max_length=60, primary_key=True)

    def __str__(self):
        return self.token


class SearchMiss(models.Model):
    """A search that found nothing: its normalised query and how many times a day it ran
    without an answer in the cache (articles/search/misses.py). No address, no user."""

    day = models.DateField()
    query = models.CharField(max_length=200)
    count = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-count", "-day", "query"]
        verbose_name = "search that found nothing"
        verbose_name_plural = "searches that found nothing"
        constraints = [
            models.UniqueConstraint(fields=["day", "query"], name="articles_searchmiss_day_query")
        ]

    def __str__(self):
        return f"{self.day}: {self.query} ({self.count})"


class TopicCount(models.Model):
    """How many articles in the live state (`live_state_q`: published status) have this
    tag, kept by database triggers in the transaction of every change (articles/triggers.py).

    Counting at read time takes tens of milliseconds for a popular topic at 100,000
    articles, and hundreds for the whole topic list. What readers see is this count less
    the tag's waiting (scheduled) articles, a few rows (articles/topics.py)."""

    tag = models.OneToOneField(
        "taggit.Tag", on_delete=models.CASCADE, primary_key=True, related_name="topic_count"
    )
    articles = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.tag_id}: {self.articles}"


class MonthCount(models.Model):
    """How many articles in the live state (`live_state_q`) with a publication time fall
    in each calendar month (UTC; `month` is YYYYMM), kept by database triggers in the
    transaction of every change (articles/triggers.py). A deep page of the list finds
    its first article from these (articles/pagination.py) rather than by skipping every
    article before it."""

    month = models.PositiveIntegerField(primary_key=True)
    articles = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.month}: {self.articles}"


class TopicMonthCount(models.Model):
    """`MonthCount` for one tag: its live articles with a time in each month (UTC,
    YYYYMM), kept by the same triggers; where a topic's deep page starts."""

    tag = models.ForeignKey("taggit.Tag", on_delete=models.CASCADE, related_name="month_counts")
    month = models.PositiveIntegerField()
    articles = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "month"], name="topic_month_count_unique")
        ]

    def __str__(self):
        return f"{self.tag_id} in {self.month}: {self.articles}"


class TopicProfile(models.Model):
    """What an editor writes about a topic (a tag): Markdown, shown on the topic's page,
    whose meta description is its first words (`summary`). Rendered and sanitised on
    save (articles/markdown.py), as section bodies are."""

    DESCRIPTION_MAX_LENGTH = TOPIC_DESCRIPTION_MAX_LENGTH
    SUMMARY_MAX_LENGTH = 160

    tag = models.OneToOneField(
        "taggit.Tag", on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    description = models.TextField(
        max_length=TOPIC_DESCRIPTION_MAX_LENGTH,
        blank=True,
        help_text="Shown on the topic's page and by search engines. Markdown (no images); "
        f"at most {TOPIC_DESCRIPTION_MAX_LENGTH:,} characters.",
    )
    description_html = models.TextField(blank=True, editable=False)
    summary = models.CharField(max_length=SUMMARY_MAX_LENGTH, blank=True, editable=False)

    class Meta:
        verbose_name = "topic description"
        constraints = [
            models.CheckConstraint(
                condition=models.lookups.LessThanOrEqual(
                    models.functions.Length("description"), TOPIC_DESCRIPTION_MAX_LENGTH
                ),
                name="topic_description_length",
            )
        ]

    def __str__(self):
        return f"description of topic {self.tag_id}"

    def save(self, *args, **kwargs):
        self.description_html, self.summary = describe_topic(self.description)
        super().save(*args, **kwargs)


class TopicRedirect(models.Model):
    """An address a topic had before it was renamed or merged into another: answered
    with 301 to the topic's current page. Written by a database trigger on renames
    (articles/triggers.py) and by `topics.merge_tags`; a topic that takes the slug
    later ends it."""

    old_slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    tag = models.ForeignKey("taggit.Tag", on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.old_slug} → topic {self.tag_id}"


class ContentVersion(models.Model):
    """One row that changes whenever public content changes.

    Database triggers (articles/triggers.py) write it in the same transaction as every
    insert, update or delete of what readers see, whichever way it is made: the ORM,
    `QuerySet.update()`, raw SQL, fixtures, revisions. Cached pages are keyed on it
    (articles/cache.py), so a cache entry is never served after its content changed, on
    any worker or server. Nothing in Python writes it.
    """

    # Plain integers (`changed` in seconds since 1970): read on every request, they need
    # no conversion on any engine. `version` is random: a restored backup or a rolled-back
    # transaction never brings back a number whose cached pages show other content.
    version = models.BigIntegerField(default=1)
    changed = models.BigIntegerField(default=0)
    # How many articles are in the live state (`live_state_q`); readers see this less the
    # waiting ones (`published_count()`). A default in the database: the triggers'
    # INSERT of the row names only the version and its time.
    live_articles = models.BigIntegerField(default=0, db_default=0)

    def __str__(self):
        return f"content version {self.version}"


def _published_count(now):
    # COUNT without GROUP BY: grouped (by status), SQLite walked the whole published
    # index in its order rather than the ranges of the three waiting parts: 63 ms at
    # 20,000 articles (1,000 of them expired) against 1.5 ms so, 1.1 with none expired.
    count = models.Func(models.F("pk"), function="COUNT", output_field=models.BigIntegerField())
    waiting = Article.objects.filter(waiting_q(now=now)).order_by().values(n=count)
    stored = ContentVersion.objects.filter(pk=1).annotate(
        waiting=models.functions.Coalesce(models.Subquery(waiting), 0)
    )
    return stored.values_list("live_articles", "waiting")[:1]


# Compiled once (prepared.py): built and compiled for each call, the count took 1.2 ms
# at 100,000 articles (SQLite) for SQL the database answers in 0.05.
_PUBLISHED_COUNT = Prepared(
    _published_count, datetime.datetime(2001, 2, 3, 4, 5, 6, 7089, tzinfo=datetime.UTC)
)


def published_count(now=None):
    """How many articles readers can see: the live-state count the triggers keep, less
    the waiting ones (a range of the (status, published_at) index). One query, flat with
    size: COUNT(*) of the published articles read the whole index, 7 ms at 100,000."""
    rows = _PUBLISHED_COUNT.rows(timezone.now() if now is None else now)
    return rows[0][0] - rows[0][1] if rows else 0


class Image(models.Model):
    """One picture in the library: a cleaned original and its renditions, all stored
    under names made from their content (articles/images.py makes them at upload).

    `renditions` lists every file made from the original: {"kind", "format", "width",
    "height", "name"}; pages pick from it and never resize anything."""

    ALT_MAX_LENGTH = 300

    name = models.CharField(max_length=200, editable=False, help_text="Stored original.")
    sha256 = models.CharField(max_length=64, unique=True, editable=False)
    format = models.CharField(max_length=10, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    alt_text = models.CharField(
        "alt text",
        max_length=ALT_MAX_LENGTH,
        blank=True,
        help_text="What the picture shows, for readers who cannot see it. Required "
        "unless the image is decorative.",
    )
    decorative = models.BooleanField(
        default=False, help_text="Adds nothing a reader needs: screen readers skip it."
    )
    caption = models.TextField(max_length=1000, blank=True)
    credit = models.CharField(max_length=200, blank=True, help_text="Photographer or source.")
    focal_x = models.FloatField(
        "focal point x", default=0.5, help_text="0 is the left edge, 1 the right."
    )
    focal_y = models.FloatField(
        "focal point y", default=0.5, help_text="0 is the top edge, 1 the bottom."
    )
    renditions = models.JSONField(default=list, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(alt_text="") | models.Q(decorative=True),
                name="image_alt_text_or_decorative",
            ),
            models.CheckConstraint(
                condition=models.Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="image_focal_point_inside",
            ),
        ]

    def __str__(self):
        label = self.alt_text or self.caption or "decorative image"
        return f"#{self.pk} {label[:60]}"

    def clean(self):
        if not self.decorative and not self.alt_text.strip():
            raise ValidationError(
                {"alt_text": "Describe the image, or mark it decorative if it adds nothing."}
            )

    @property
    def alt(self):
        """The alt attribute: empty for a decorative image, so screen readers skip it."""
        return "" if self.decorative else self.alt_text


# A library image in the stored HTML (`![](image:N)`): a topic's page draws none.
_LIBRARY_IMG = re.compile(r'<img src="image:\d+"[^>]*>')


def describe_topic(source):
    """(sanitised HTML, plain-text summary for meta descriptions) of a description."""
    html = _LIBRARY_IMG.sub("", render_markdown(source)) if source.strip() else ""
    text = " ".join(htmllib.unescape(strip_tags(html)).split())
    return html, Truncator(text).chars(TopicProfile.SUMMARY_MAX_LENGTH)


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
