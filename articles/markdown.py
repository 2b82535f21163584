"""Markdown → sanitised HTML: the one place section bodies are rendered."""

import nh3
from markdown_it import MarkdownIt

# Raw HTML in the source is shown as text, never passed through; nh3 then keeps
# only the tags, attributes and URL schemes below, whatever the parser produced.
_parser = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
# The article title is the page's h1 and section headings are h2, so a section body's
# "# Heading" becomes h3, "## Heading" h4, and so on.
HEADING_OFFSET = 2


def _shift_headings(state):
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + HEADING_OFFSET)
            token.tag = f"h{level}"


_parser.core.ruler.push("shift_headings", _shift_headings)

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6",
    "hr", "img", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def _same_site_images(element, attribute, value):
    """Images load only from this site: no tracking pixels or mixed content."""
    if element == "img" and attribute == "src" and not value.startswith("/"):
        return None
    if value.startswith("//"):  # protocol-relative: another host
        return None
    return value


def render_markdown(source):
    """Render Markdown to HTML that is safe to show: no scripts, handlers or bad URLs."""
    html = _parser.render(source or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_same_site_images,
    )
