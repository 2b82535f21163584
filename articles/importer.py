"""Plain-text document → article and ordered sections.

The shape, as in the seed documents:

* the first line is the title (a repeat of it right below is dropped);
* an optional standfirst: one line right after the title that is not a sentence
  (no final full stop) and does not head body text;
* headings: numbered lines such as ``  1. AI in Finance:`` or short lines with no
  final full stop that are followed by body text; the number and final colon go;
* without a standfirst line, an introduction of one paragraph becomes the standfirst;
* everything else is a paragraph, kept verbatim, in the section above it (text before
  the first heading is the introduction, a section without a heading). A heading-like
  line followed by another heading instead of body text is kept as a paragraph.

`parse_document()` is pure; `import_document()` writes one article in one transaction.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, validate_unicode_slug
from django.db import transaction
from django.utils.text import slugify

from . import limits, search
from .language import detect_language
from .markdown import render_markdown
from .models import Article, Section, check_tag_names, unique_anchor

TITLE_MAX_LENGTH = Article._meta.get_field("title").max_length
HEADING_MAX_LENGTH = 100
STANDFIRST_MAX_LENGTH = 400
NUMBERED_HEADING = re.compile(r"^\s*\d{1,3}[.)]\s+(?P<text>\S.*?)\s*:?\s*$")
SENTENCE_END = tuple(".!?…。！？;；\"”’')）]")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&])")
MARKDOWN_LIST_START = re.compile(r"^(\s*)(\d+)([.)])(\s)|^(\s*)([-+])(\s)")


class DocumentError(ValueError):
    """The document cannot become an article; the message says why."""


@dataclass
class ParsedSection:
    heading: str = ""
    paragraphs: list = field(default_factory=list)

    @property
    def body(self):
        """The paragraphs as Markdown that renders back to exactly their text."""
        return "\n\n".join(escape_markdown(p) for p in self.paragraphs)


@dataclass
class ParsedDocument:
    title: str
    standfirst: str
    sections: list

    @property
    def slug(self):
        return slugify(self.title, allow_unicode=True)[:200].strip("-")

    def anchored_sections(self):
        """(position, heading, anchor, body) for each section, anchors unique."""
        taken = set()
        for position, section in enumerate(self.sections):
            anchor = unique_anchor(section.heading, taken)
            taken.add(anchor)
            yield position, section.heading, anchor, section.body

    def section_rows(self, article):
        """The unsaved Section rows of `article`, in order, their HTML rendered."""
        return [
            Section(
                article=article,
                position=position,
                heading=heading,
                anchor=anchor,
                body=body,
                body_html=render_markdown(body),
            )
            for position, heading, anchor, body in self.anchored_sections()
        ]


def escape_markdown(text):
    """Backslash-escape what Markdown would otherwise turn into markup."""
    text = MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return "\n".join(
        MARKDOWN_LIST_START.sub(
            lambda m: (
                f"{m[1]}{m[2]}\\{m[3]}{m[4]}" if m[2] is not None else f"{m[5]}\\{m[6]}{m[7]}"
            ),
            line,
        )
        for line in text.split("\n")
    )


def _blocks(text):
    """Runs of non-blank lines, each run one block (a list of right-stripped lines)."""
    blocks, current = [], []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _heading_text(block):
    """The heading a block stands for, or None if it is not heading-shaped."""
    if len(block) != 1:
        return None
    line = block[0].strip()
    numbered = NUMBERED_HEADING.match(line)
    if numbered:
        return numbered["text"]
    if len(line) <= HEADING_MAX_LENGTH and not line.endswith(SENTENCE_END):
        return line.removesuffix(":").rstrip()
    return None


def _is_standfirst(block, following):
    if len(block) != 1 or NUMBERED_HEADING.match(block[0]):
        return False
    line = block[0].strip()
    if len(line) > STANDFIRST_MAX_LENGTH or line.endswith(SENTENCE_END + (":",)):
        return False
    # A short line heading body text is a heading, not a standfirst.
    return following is None or _heading_text(following) is not None


def parse_document(text):
    """Split a plain-text document into title, standfirst and sections (pure)."""
    if "\x00" in text:
        raise DocumentError("the file is binary, not plain text")
    blocks = _blocks(text.lstrip("\ufeff"))
    if not blocks:
        raise DocumentError("the document is empty")
    title_block = blocks.pop(0)
    if len(title_block) != 1:
        raise DocumentError(
            "the first line must be the title, followed by a blank line "
            f"(found {len(title_block)} lines together)"
        )
    title = title_block[0].strip()
    if len(title) > TITLE_MAX_LENGTH:
        raise DocumentError(
            f"the title is {len(title)} characters long; at most {TITLE_MAX_LENGTH} are allowed"
        )
    while blocks and [line.strip() for line in blocks[0]] == [title]:
        blocks.pop(0)

    standfirst = ""
    if blocks and _is_standfirst(blocks[0], blocks[1] if len(blocks) > 1 else None):
        standfirst = blocks.pop(0)[0].strip()

    sections = [ParsedSection()]
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        heading = _heading_text(block)
        if heading and following is not None and _heading_text(following) is None:
            sections.append(ParsedSection(heading=heading[: Section.heading.field.max_length]))
        else:
            sections[-1].paragraphs.append("\n".join(line.strip() for line in block))
    introduction = sections[0].paragraphs
    if not standfirst and len(introduction) == 1 and len(sections) > 1:
        standfirst = introduction.pop()  # a one-paragraph lede stands first
    if not introduction:
        sections.pop(0)
    if not sections:
        raise DocumentError("the document has a title but no body text")
    return ParsedDocument(title=title, standfirst=standfirst, sections=sections)


def import_document(
    text, *, tags=(), slug=None, status=Article.Status.DRAFT, published_at=None, author=None
):
    """Create one article with its sections and tags from `text`, all or nothing."""
    document = parse_document(text)
    slug = slug or document.slug
    if not slug:
        raise DocumentError("no slug can be made from the title; give one")
    try:
        validate_unicode_slug(slug)
        MaxLengthValidator(Article._meta.get_field("slug").max_length)(slug)
    except ValidationError as error:
        raise DocumentError(f"the slug {slug!r} is not usable: {error.messages[0]}") from error
    try:
        check_tag_names(tags)
        limits.check_date(published_at)
        for section in document.sections:
            limits.check_section_body(section.body)
    except ValidationError as error:
        raise DocumentError(error.messages[0].rstrip(".")) from error
    with transaction.atomic():
        if Article.objects.filter(slug=slug).exists():
            raise DocumentError(f"an article with the slug {slug!r} already exists")
        article = Article.objects.create(
            title=document.title,
            slug=slug,
            standfirst=document.standfirst,
            language=detect_language(
                document.title,
                document.standfirst,
                *(f"{section.heading}\n{section.body}" for section in document.sections),
            ),
            status=status,
            published_at=published_at,
            author=author,
        )
        sections = Section.objects.bulk_create(document.section_rows(article))
        search.index_sections(sections)  # bulk_create sends no post_save
        if tags:
            article.tags.add(*tags)
    return article
