"""{% article_body %}: an article page's <article>, stored once per version of what it
shows (articles/fragments.py)."""

from django import template

from articles import fragments

register = template.Library()


@register.simple_tag(takes_context=True)
def article_body(context):
    return fragments.article_body(
        context["article"],
        is_preview=bool(context.get("is_preview")),
        preview_of_changes=bool(context.get("preview_of_changes")),
        version_links=context.get("version_links"),
    )
