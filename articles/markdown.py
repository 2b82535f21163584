"""Markdown → sanitised HTML: the one place section bodies are rendered.

comrak (CommonMark and GitHub's tables and strikethrough, in Rust) parses: it takes
milliseconds on any section body, where markdown-it-py, in pure Python, took seconds
on a few hundred thousand brackets or asterisks (bench/markdown_worst_case.py)."""

import re

import comrak
import nh3

# Raw HTML in the source is shown as text (escaped), never passed through; nh3 then
# keeps only the tags, attributes and URL schemes below, whatever the parser produced.
_EXTENSIONS = comrak.ExtensionOptions()
_EXTENSIONS.table = True
_EXTENSIONS.strikethrough = True
_RENDER = comrak.RenderOptions()
_RENDER.escape = True
_PLAIN = comrak.ExtensionOptions()
_PLAIN.strikethrough = True
# comrak's time on a table grows with the square of its columns (a 50,000-column row
# takes 2 s); nobody reads a table that wide, so such a body is rendered without
# tables (its rows stay text). A 500-column table as long as a section: 0.2 s.
TABLE_MAX_COLUMNS = 500
# A row of N columns has at most N + 1 pipes: "| a | b |".
_WIDE_ROW = re.compile(rf"^(?:[^|\n]*\|){{{TABLE_MAX_COLUMNS + 2}}}", re.MULTILINE)
# The article title is the page's h1 and section headings are h2, so a section body's
# "# Heading" becomes h3, "## Heading" h4, and so on. Every other "<" in comrak's
# output is escaped, so these tags can only be headings.
HEADING_OFFSET = 2
_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")
# nh3's HTML parser takes time growing with the square of the depth of nested block
# quotes and lists (">" * 200,000 would take minutes); nobody reads past a few levels,
# so deeper ones are flattened into the last level kept, their text all there.
MAX_NESTING = 64
_NESTING_TAG = re.compile(r"<(/?)(?:blockquote|ol|ul|li)\b[^>]*>")
# Most such depth comes from one line of markers ("> > > …", "1. 1. 1. …"): the marker
# after the first MAX_NESTING is escaped in the source, so the rest of the line is text
# (and comrak need not build 200,000 levels for _limit_nesting to flatten). In a code
# block such a line would show the backslash: nobody writes 65 markers on a code line.
_MARKER = r"(?>[ ]{0,3}(?:>|[-+*]|\d{1,9}[.)])[ \t]*)"
_DEEP_MARKERS = re.compile(
    rf"^((?:{_MARKER}){{{MAX_NESTING}}}[ ]{{0,3}}\d{{0,9}})(?=[>+*.)-])", re.MULTILINE
)

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6",
    "hr", "img", "li", "ol", "p", "pre", "span", "strong", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "span": {"lang", "translate"},
    "td": {"align"},
    "th": {"align"},
}
# An editor's marks on a span of text (docs/editors.md): `[臺灣]{lang=zh-Hant-TW}` is in
# another language than the article (read aloud and drawn as that language, and kept as
# written in the other Chinese script); `[智譜]{keep}` is kept as written in the other
# script (articles/scripts.py). comrak leaves both as text; code keeps them as typed,
# and a tag too (a link's title, an image's alt text: a span there would end the value).
_SPAN_MARK = re.compile(
    r"\[([^\[\]\n<>]{1,500})\]\{(?:lang=([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3})|(keep))\}"
)
_CODE = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>|<[^>]*>)", re.DOTALL)


def _span(match):
    if match[3]:
        return f'<span translate="no">{match[1]}</span>'
    return f'<span lang="{match[2]}">{match[1]}</span>'


def _mark_spans(html):
    if "]{" not in html:
        return html
    parts = _CODE.split(html)  # odd items: code and tags, as typed
    return "".join(part if i % 2 else _SPAN_MARK.sub(_span, part) for i, part in enumerate(parts))


ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "image"}
# `![alt](image:42)`: image 42 of the library, drawn as a <figure> when the page is
# shown (articles/images.py, expand_figures), so its alt text, caption and renditions
# are always the library's current ones.
LIBRARY_IMAGE = re.compile(r"image:[1-9][0-9]{0,17}")


# An <img> whose address the filter below refused (another host, a malformed
# `image:`) would show readers a broken picture: it is left out.
_IMG_TAG = re.compile(r"<img\b([^>]*)>")
_QUOTED = re.compile(r'"[^"]*"')


def _drop_imgs_without_src(html):
    def keep(match):
        return match[0] if " src=" in _QUOTED.sub('""', match[1]) else ""

    return _IMG_TAG.sub(keep, html) if "<img" in html else html


def _shift_heading(match):
    level = min(6, int(match[2]) + HEADING_OFFSET)
    return f"<{match[1]}h{level}>"


def _limit_nesting(html):
    """`html` without the block quote and list tags nested deeper than MAX_NESTING."""
    if html.count("<blockquote") + html.count("<li") <= MAX_NESTING // 2:
        return html  # too few to nest that deep
    kept, dropped, start = [], [], 0
    for tag in _NESTING_TAG.finditer(html):
        if tag[1]:
            drop = dropped.pop()
        else:
            drop = len(dropped) >= MAX_NESTING
            dropped.append(drop)
        if drop:
            kept.append(html[start : tag.start()])
            start = tag.end()
    kept.append(html[start:])
    return "".join(kept)


def _same_site_images(element, attribute, value):
    """Images load only from this site (or its library): no tracking pixels or mixed
    content."""
    if value.startswith("image:") and not (
        element == "img" and attribute == "src" and LIBRARY_IMAGE.fullmatch(value)
    ):
        return None
    if element == "img" and attribute == "src" and not value.startswith(("/", "image:")):
        return None
    if value.startswith("//"):  # protocol-relative: another host
        return None
    if element == "a" and attribute == "href" and not value:
        return None  # comrak's stand-in for a refused URL (javascript: …)
    return value


def render_markdown(source):
    """Render Markdown to HTML that is safe to show: no scripts, handlers or bad URLs."""
    source = _DEEP_MARKERS.sub(r"\1\\", source or "")
    extensions = _PLAIN if _WIDE_ROW.search(source) else _EXTENSIONS
    html = comrak.render_markdown(source, extension_options=extensions, render_options=_RENDER)
    html = _mark_spans(_limit_nesting(_HEADING_TAG.sub(_shift_heading, html)))
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_same_site_images,
    )
    return _drop_imgs_without_src(html)
