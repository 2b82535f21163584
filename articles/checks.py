"""Checks before publishing: what an Editor should look at once more, shown on the form
and asked about when publishing. They are warnings, never blocks: an Editor may
publish anyway."""

import re
from urllib.parse import unquote, urlsplit

from .models import Article, published_q

HEADLINE_MAX = 110
# Links to articles in Markdown bodies: [text](/articles/slug/) or a full address.
ARTICLE_LINK = re.compile(r"\]\(\s*<?([^)\s>]*/articles/[^)\s>]+)")
SLUG_IN_PATH = re.compile(r"^/articles/([-\w]{1,200})(?:/|\.md)?$")


def linked_slugs(body, hosts=()):
    """Slugs of this site's articles that a Markdown body links to, in order."""
    slugs = []
    for target in ARTICLE_LINK.findall(body or ""):
        parts = urlsplit(target)
        if parts.netloc and parts.netloc not in hosts:
            continue  # another site's /articles/
        match = SLUG_IN_PATH.match(unquote(parts.path))
        if match and match.group(1) not in slugs:
            slugs.append(match.group(1))
    return slugs


def warnings(article, sections, hosts=()):
    """What to look at before publishing `article` with `sections` (in order): a list
    of sentences, empty when all is well. One query, for the linked articles."""
    found = []
    if not (article.standfirst or "").strip():
        found.append("There is no standfirst: lists and link previews will show none.")
    if len(article.title or "") > HEADLINE_MAX:
        found.append(
            f"The headline has {len(article.title)} characters; search engines and "
            f"feeds cut it after {HEADLINE_MAX}."
        )
    headings = {}
    for number, section in enumerate(sections, 1):
        if not (section.body or "").strip():
            found.append(f"Section {number} has no text.")
        heading = " ".join((section.heading or "").split()).casefold()
        if heading:
            headings.setdefault(heading, []).append(number)
    for numbers in headings.values():
        if len(numbers) > 1:
            listed = ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"
            found.append(f"Sections {listed} have the same heading.")
    slugs = []
    for section in sections:
        slugs += [s for s in linked_slugs(section.body, hosts) if s not in slugs]
    slugs = [slug for slug in slugs if slug != article.slug]
    if slugs:
        public = set(
            Article.objects.filter(published_q(), slug__in=slugs).values_list("slug", flat=True)
        )
        for slug in slugs:
            if slug not in public:
                found.append(
                    f"A link goes to /articles/{slug}/, which is not a published article: "
                    "readers would get “page not found”."
                )
    return found
