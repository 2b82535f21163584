"""What the article form shows of an article's translations: the linked versions, each
with its language and a link to edit it, a translation flagged when its original was
edited after it, naming what changed since (articles/translations.py)."""

from django.urls import reverse
from django.utils.html import format_html, format_html_join

from . import translations
from .models import Article

BEHIND = "Behind its original, changed since: %s."


def linked_versions(article):
    if article is None or article.pk is None:
        return "Save the article first; then link it to its original with “Translation of”."
    root = article.translation_of_id or article.pk
    group = (
        Article.objects.filter(translations.group_q(article))
        .select_related("translation_of")
        .order_by("translation_of_id", "pk")
    )
    rows = []
    for version in group:
        role = "original" if version.pk == root else "translation"
        changed = translations.behind(version) if role == "translation" else []
        note = (
            format_html(
                ' <strong class="translation-behind">{}</strong>', BEHIND % ", ".join(changed)
            )
            if changed
            else ""
        )
        this = " (this article)" if version.pk == article.pk else ""
        url = reverse("admin:articles_article_change", args=[version.pk])
        rows.append((url, version.title, version.get_language_display(), role, this, note))
    if len(rows) < 2:
        return "No translations linked yet."
    return format_html(
        "<ul>{}</ul>",
        format_html_join("", '<li><a href="{}">{}</a> — {}, {}{}{}</li>', rows),
    )
