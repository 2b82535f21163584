"""Who may do what with articles: the rules the admin and the views call.

Two groups, created by migration 0003: *Authors* write articles and edit their own
drafts (and submit them for review); *Editors* edit everything and publish, unpublish
and schedule (the `publish_article` permission). Superusers may do everything.
"""

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


def can_preview(user):
    """Staff who may view articles in the admin also see drafts and scheduled articles."""
    return user.is_active and user.is_staff and user.has_perm("articles.view_article")
