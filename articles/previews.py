"""Shareable preview links: a secret address at which anyone, without an account, sees
an article as it will be published (its draft changes, or the draft itself).

The token is 32 random bytes from `secrets` (43 URL-safe characters); only its SHA-256
is stored, so the database (or a backup of it) opens no preview. A token that is
malformed, unknown, expired or revoked, or whose article was deleted, finds nothing,
and every one of those answers the same 404. Pages shown this way are never cached
(articles/cache.py does not look them up) and ask not to be indexed.
"""

import datetime
import hashlib
import hmac
import re
import secrets

from django import forms
from django.utils import timezone

from . import bylines, drafts
from .models import Article, ArticleDraft, PreviewLink

TOKEN_BYTES = 32
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
HINT_LENGTH = 6
DEFAULT_DAYS = 7
MAX_DAYS = 30


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class LinkForm(forms.Form):
    """How long a new link lasts: whole days, 1 to 30; 7 when left empty."""

    preview_days = forms.IntegerField(
        label="Days the link works",
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        required=False,
    )

    def clean_preview_days(self):
        return self.cleaned_data["preview_days"] or DEFAULT_DAYS


def make_link(article, user, days=DEFAULT_DAYS, now=None):
    """A new link to `article`, lasting `days`: (the link, its token). The token is in
    no table: the caller shows it once."""
    now = timezone.now() if now is None else now
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = PreviewLink.objects.create(
        article=article,
        token_hash=digest(token),
        hint=token[:HINT_LENGTH],
        created_by=user,
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    return link, token


def find_link(token, now=None):
    """The working link with this token, or None (whatever the reason)."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    hashed = digest(token)
    link = PreviewLink.objects.filter(token_hash=hashed).select_related("article").first()
    if link is None or not hmac.compare_digest(link.token_hash, hashed):
        return None
    now = timezone.now() if now is None else now
    if link.revoked_at is not None or link.expires_at <= now:
        return None
    return link


def revoke(link, now=None):
    if link.revoked_at is None:
        link.revoked_at = timezone.now() if now is None else now
        link.save(update_fields=["revoked_at"])


def links_of(article):
    """The article's links, newest first, with who made them; one query."""
    return list(PreviewLink.objects.filter(article=article).select_related("created_by"))


def shown_article(article):
    """`article` as its preview shows it: its draft changes when it has some (a live
    article), else as saved; sections, tags and bylines loaded. (article, of_changes)."""
    draft = ArticleDraft.objects.filter(article=article).first()
    if draft is not None:
        return drafts.preview_article(draft.data, article), True
    loaded = Article.objects.select_related("lead_image").prefetch_related(
        "sections", "tags", bylines.prefetch()
    )
    return loaded.get(pk=article.pk), False
