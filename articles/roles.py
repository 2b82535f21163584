"""Who may do what with articles: the rules the admin and the views call.

Two groups, created by migration 0003: *Authors* write articles and edit their own
drafts (and submit them for review); *Editors* edit everything and publish, unpublish
and schedule (the `publish_article` permission). Superusers may do everything.
"""

from .models import Article

AUTHORS = "Authors"
EDITORS = "Editors"


def can_publish(user):
    return user.has_perm("articles.publish_article")


def can_edit(user, article):
    """Editors edit any article; authors only their own articles while they are drafts."""
    if not user.has_perm("articles.change_article"):
        return False
    if article is None or can_publish(user):
        return True
    return article.author_id == user.pk and article.status == article.Status.DRAFT


def can_draft(user, article):
    """Who may save draft changes to a live article: whoever may edit it, and its
    author (an Editor publishes them)."""
    if can_edit(user, article):
        return True
    return (
        article is not None
        and user.has_perm("articles.change_article")
        and article.author_id == user.pk
        and article.is_published
    )


def edit_refusal(user, article):
    """Why `user` may only read `article` in the form, and what to do; None if they may edit."""
    if article is None or can_draft(user, article):
        return None
    if not user.has_perm("articles.change_article"):
        return "You may view articles but not change them."
    if article.author_id != user.pk:
        return (
            "This article is someone else’s: only its author or an Editor may change it. "
            "Ask an Editor if it needs a correction."
        )
    if article.status == Article.Status.REVIEW:
        return (
            "Submitted for review — an Editor will publish it, or return it to draft so "
            "that you can keep editing. Ask an Editor if it needs a change now."
        )
    return "This article is scheduled: only an Editor may change it before it appears."


def delete_refusal(user, article):
    """Why `user` may not delete `article` (the admin's delete permission and can_edit)."""
    if not user.has_perm("articles.delete_article"):
        return (
            "Only an Editor may delete articles. To take one off the site, ask an Editor "
            "to unpublish it; nothing is lost that way."
        )
    return edit_refusal(user, article) or "You may not delete this article."


def can_set_status(user, status):
    """The states a role may choose in the form: Authors draft and submit for review."""
    return can_publish(user) or status in (Article.Status.DRAFT, Article.Status.REVIEW)


def restore_refusal(user, current, restored):
    """Why `user` may not turn article `current` into the version `restored` (both
    Article instances), or None when they may: restoring is judged like the change
    form, on both states. Authors restore only their own drafts, into Draft or In
    review, and never change the publication time or the byline (the form lacks them)."""
    if not can_edit(user, current):
        if not user.has_perm("articles.change_article"):
            return "You may not change articles."
        if current.author_id != user.pk:
            return "This article is someone else's: only its author or an editor may restore it."
        state = "scheduled" if current.is_scheduled else current.get_status_display().lower()
        return (
            f"This article is {state}: only an editor may "
            "change it now, restoring an earlier version included."
        )
    if can_publish(user):
        return None
    if not can_set_status(user, restored.status):
        return (
            "This version was published: restoring it would publish the article, "
            "which only an editor may do."
        )
    return None


def can_change_image(user, image):
    """Editors change any library image; authors only those they uploaded. An image
    shows on live articles, so its alt text, caption and crops are content an author
    may not change on someone else's behalf."""
    if not user.has_perm("articles.change_image"):
        return False
    return image is None or can_publish(user) or image.uploaded_by_id == user.pk


def can_edit_profile(user, person):
    """Editors edit every author profile; anyone else only the one that is theirs."""
    if not user.has_perm("articles.change_person"):
        return False
    return can_publish(user) or (person.user_id is not None and person.user_id == user.pk)


def can_share_preview(user, article):
    """Who may make (and revoke) preview links to `article`: Editors, for any article;
    Authors, for their own."""
    if not (user.is_active and user.is_staff and user.has_perm("articles.change_article")):
        return False
    return can_publish(user) or (article.author_id is not None and article.author_id == user.pk)


def can_recover(user):
    """Bringing back a deleted article is an editor's decision."""
    return can_publish(user) and user.has_perm("articles.add_article")


def can_preview(user):
    """Staff who may view articles in the admin also see drafts and scheduled articles."""
    return user.is_active and user.is_staff and user.has_perm("articles.view_article")


def editors():
    """The active users who may publish, with an address: those the review tells."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    publish = {
        "permissions__codename": "publish_article",
        "permissions__content_type__app_label": "articles",
    }
    may_publish = (
        Q(is_superuser=True)
        | Q(**{f"groups__{name}": value for name, value in publish.items()})
        | Q(**{f"user_{name}": value for name, value in publish.items()})
    )
    users = get_user_model().objects.filter(may_publish, is_active=True).exclude(email="")
    return users.distinct().order_by("pk")


def can_withdraw(user, article):
    """Only an article's author withdraws its submission; an Editor requests changes."""
    return user.has_perm("articles.change_article") and article.author_id == user.pk
