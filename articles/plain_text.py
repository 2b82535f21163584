"""Articles as Markdown, and /llms.txt: the site for programs that read text.

Both are built from data the views load (no queries here). Text editors wrote goes
out as written; only link labels are escaped so a title cannot break a link.
"""

import re

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from . import images
from .markdown import LIBRARY_IMAGE

LINK_LABEL = re.compile(r"([\\\[\]])")
SUMMARY = (
    "News and analysis on artificial intelligence in Hong Kong: policy, finance, health, "
    "research and startups."
)
# The rest of the site, for /llms.txt: (section, label, URL name, note).
SITE_LINKS = [
    ("Topics", "All topics", "articles:tag_index", "every topic with its number of articles"),
    ("API", "OpenAPI schema", "api:openapi-json", "the read-only JSON API, described"),
    ("API", "API documentation", "api:openapi-view", "the same, browsable"),
    ("Optional", "RSS feed", "articles:feed", "the 20 latest articles"),
    ("Optional", "Sitemap", "sitemap", "every article and topic page"),
]


def label(text):
    """Text for inside [...] of a Markdown link."""
    return LINK_LABEL.sub(r"\\\1", " ".join(text.split()))


def one_line(text):
    return " ".join(text.split())


def quote(text):
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())


def article_markdown(article, absolute, found=None):
    """The article (author, lead image, sections and tags loaded) as Markdown;
    `absolute(path)` makes a full URL; `found` maps the ids of library images the
    sections show to those images."""
    lines = [f"# {one_line(article.title)}", ""]
    if article.standfirst.strip():
        lines += [quote(article.standfirst), ""]
    published = timezone.localtime(article.published_at)
    lines.append(f"- Published: {published.date().isoformat()}")
    lines.append(f"- By: {article.byline}")
    lines.append(f"- Language: {article.language}")
    tags = [
        f"[{label(tag.name)}]({absolute(reverse('articles:tag', args=[tag.slug]))})"
        for tag in article.tags.all()
    ]
    if tags:
        lines.append(f"- Topics: {', '.join(tags)}")
    lines += [f"- Web page: {absolute(article.get_absolute_url())}", ""]
    lead = article.lead_image
    widest = images.largest(lead) if lead is not None else None
    if widest is not None:
        lines += [f"![{label(lead.alt)}]({absolute(images.url(widest['name']))})", ""]
        if lead.caption.strip() or lead.credit.strip():
            lines += [one_line(f"{lead.caption} {lead.credit}"), ""]
    for section in article.sections.all():
        if section.heading.strip():
            lines += [f"## {one_line(section.heading)}", ""]
        if section.body.strip():
            body = section.body.strip().replace("\r\n", "\n")
            lines += [library_images(body, found or {}, absolute), ""]
    return "\n".join(lines)


# Any `image:` address: one that is not a library number (`image:08`, `image:-1`) is
# left out, as the page leaves it out (articles/markdown.py LIBRARY_IMAGE).
MARKDOWN_LIBRARY_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(<?image:([^\s)>]*)>?(?:\s+\"[^\"\n]*\")?\)")
# A reference definition, `[chart]: image:42`, for `![alt][chart]`.
MARKDOWN_IMAGE_DEFINITION = re.compile(r"^( {0,3}\[[^\]\n]+\]:[ \t]*)<?image:([^\s>]*)>?", re.M)


def library_images(body, found, absolute):
    """`![alt](image:42)` (or `<image:42>`, or a definition `[p]: image:42`) with the
    library image's address (widest JPEG or PNG); a reference to an image no longer
    in the library is left out."""

    def found_url(number):
        if not LIBRARY_IMAGE.fullmatch(f"image:{number}"):
            return None, None
        image = found.get(int(number))
        widest = images.largest(image) if image is not None else None
        if widest is None:
            return None, None
        return image, absolute(images.url(widest["name"]))

    def address(match):
        image, address = found_url(match[2])
        if image is None:
            return ""
        return f"![{match[1] or label(image.alt)}]({address})"

    def definition(match):
        image, address = found_url(match[2])
        return f"{match[1]}{address}" if image is not None else ""

    body = MARKDOWN_IMAGE_DEFINITION.sub(definition, body)
    return MARKDOWN_LIBRARY_IMAGE.sub(address, body)


def llms_txt(articles, tags, absolute):
    """/llms.txt as the llms.txt convention has it: the site's name, a summary in a
    quote, a note, then sections of links: recent articles (as Markdown), topics (each
    tag with an article_count), and the rest of the site."""
    lines = [
        f"# {settings.SITE_NAME}",
        "",
        f"> {SUMMARY}",
        "",
        "Articles are in English, some with Chinese passages. Each article is also served "
        "as Markdown: its address with `.md` in place of the final slash.",
        "",
        "## Recent articles",
        "",
    ]
    for article in articles:
        url = absolute(reverse("articles:markdown", args=[article.slug]))
        note = one_line(article.standfirst)
        lines.append(f"- [{label(article.title)}]({url})" + (f": {note}" if note else ""))
    sections = {}
    for section, text, name, note in SITE_LINKS:
        sections.setdefault(section, []).append(f"- [{text}]({absolute(reverse(name))}): {note}")
    for tag in tags:
        url = absolute(reverse("articles:tag", args=[tag.slug]))
        count = tag.article_count
        sections["Topics"].append(
            f"- [{label(tag.name)}]({url}): {count} article{'s' if count != 1 else ''}"
        )
    for section, links in sections.items():
        lines += ["", f"## {section}", "", *links]
    return "\n".join(lines) + "\n"
