"""An article's whole text as one piece of HTML, for feed readers (articles/feeds.py).

The sections' stored HTML is already sanitised (articles/markdown.py); here it gains
its headings and its library images, and every address in it becomes absolute, since
a feed reader shows it on another site: `/articles/…`, `/media/…` and a section's own
`#anchor` all point back here."""

import html as htmllib
import re
from urllib.parse import urljoin

from . import images

# A start tag as nh3 and the site's templates write it: attribute values always in
# double quotes, within which ">" may appear but '"' never does (it is &quot;).
_TAG = re.compile(r'<[a-zA-Z][^\s/>]*(?:\s+[^\s"=/>]+(?:="[^"]*")?)*\s*/?>')
_ADDRESS = re.compile(r'(\s(?:href|src|srcset))="([^"]*)"')
# What XML 1.0 cannot hold, even escaped; Markdown passes it through as text.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text):
    """`text` without the characters an XML document cannot carry."""
    return XML_INVALID.sub("", text) if text else text


def _join(base, value):
    """An attribute's address (as written, escaped) made absolute, escaped again."""
    return htmllib.escape(urljoin(base, htmllib.unescape(value)))


def _srcset(value, base):
    candidates = []
    for candidate in value.split(","):
        address, _, size = candidate.strip().partition(" ")
        candidates.append(f"{_join(base, address)} {size}".strip())
    return ", ".join(candidates)


def absolute_addresses(html, base):
    """`html` with every href, src and srcset resolved against `base`, the page's own
    absolute address (an `#anchor` becomes that page's section)."""

    def in_tag(tag):
        def resolve(attribute):
            value = attribute[2]
            if attribute[1].endswith("srcset"):
                return f'{attribute[1]}="{_srcset(value, base)}"'
            return f'{attribute[1]}="{_join(base, value)}"'

        return _ADDRESS.sub(resolve, tag[0])

    return _TAG.sub(in_tag, html)


def article_html(article, base, absolute):
    """The article's lead image and sections as HTML, addresses absolute. `base` is the
    article's absolute address, `absolute(path)` makes one; the sections are loaded (and
    their library images expanded: images.expand_sections) by the caller."""
    parts = []
    lead = article.lead_image
    widest = images.largest(lead) if lead is not None else None
    if widest is not None:
        alt = htmllib.escape(lead.alt)
        src = htmllib.escape(absolute(images.url(widest["name"])))
        size = f'width="{widest["width"]}" height="{widest["height"]}"'
        parts.append(f'<p><img src="{src}" alt="{alt}" {size}></p>')
    for section in article.sections.all():
        if section.heading:
            parts.append(f"<h2>{htmllib.escape(section.heading)}</h2>")
        parts.append(section.body_html)
    return xml_text(absolute_addresses("\n".join(parts), base))
