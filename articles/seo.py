"""Structured data for search engines and link previews."""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

from . import images

# As in Django's json_script: nothing in the data can close the <script> element.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def article_json_ld(article, request):
    """A schema.org NewsArticle for `article` (tags and bylines already loaded): its
    people as `author`, each with their page; the site when it names no one."""
    url = request.build_absolute_uri(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title[:110],
        "description": article.standfirst,
        "datePublished": article.published_at,
        "dateModified": article.updated_at,
        "author": [
            {
                "@type": "Person",
                "name": person.name,
                "url": request.build_absolute_uri(person.get_absolute_url()),
            }
            for person in article.people
        ]
        or {"@type": "Organization", "name": settings.SITE_NAME},
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        "keywords": [tag.name for tag in article.tags.all()],
        "inLanguage": article.language,
    }
    if article.lead_image is not None:
        # The 1200 px crop and the widest rendition at the picture's own proportions.
        chosen = [images.social(article.lead_image), images.largest(article.lead_image)]
        data["image"] = [
            request.build_absolute_uri(images.url(rendition["name"]))
            for rendition in chosen
            if rendition is not None
        ]
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_ESCAPES)
    return mark_safe(text)
