"""Plain text → article and sections: the parsing rules and the command's all-or-nothing."""

import datetime
import io

import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command

from articles.importer import DocumentError, import_document, parse_document
from articles.markdown import render_markdown
from articles.models import Article, Section

DOCUMENT = """\
Robots Arrive in Kowloon

Delivery robots begin trials in Kowloon this spring

  1. The Pilot:

Ten robots will deliver parcels in Sham Shui Po.
They run from 8 am to 8 pm.

  2. What Residents Say:

Most of the residents asked were curious.

Next Steps

The Transport Department will report in June.
"""


def test_title_standfirst_and_numbered_and_plain_headings():
    document = parse_document(DOCUMENT)
    assert document.title == "Robots Arrive in Kowloon"
    assert document.standfirst == "Delivery robots begin trials in Kowloon this spring"
    assert [s.heading for s in document.sections] == [
        "The Pilot",
        "What Residents Say",
        "Next Steps",
    ]
    assert document.sections[0].paragraphs == [
        "Ten robots will deliver parcels in Sham Shui Po.\nThey run from 8 am to 8 pm."
    ]


def test_repeated_title_line_is_dropped():
    document = parse_document("Title\n\nTitle\n\nBody text here.\n")
    assert document.title == "Title"
    assert document.sections[0].paragraphs == ["Body text here."]


def test_text_before_the_first_heading_is_an_introduction():
    document = parse_document(
        "Title\n\nFirst paragraph.\n\nSecond paragraph.\n\nA Heading\n\nMore.\n"
    )
    assert document.standfirst == ""
    assert document.sections[0].heading == ""
    assert document.sections[0].paragraphs == ["First paragraph.", "Second paragraph."]


def test_a_one_paragraph_lede_becomes_the_standfirst():
    document = parse_document("Title\n\nThe lede.\n\nA Heading\n\nMore.\n")
    assert document.standfirst == "The lede."
    assert [s.heading for s in document.sections] == ["A Heading"]


def test_a_short_line_heading_body_text_is_a_heading_not_a_standfirst():
    document = parse_document("Title\n\nIntroduction\n\nSome text.\n")
    assert document.standfirst == ""
    assert document.sections[0].heading == "Introduction"


def test_a_heading_followed_by_a_heading_is_kept_as_text():
    document = parse_document("Title\n\nA lede.\n\nLabel: value\n\nReal Heading\n\nBody.\n")
    assert document.sections[0].heading == ""
    assert document.sections[0].paragraphs == ["A lede.", "Label: value"]
    assert document.sections[1].heading == "Real Heading"


def test_anchors_are_unique_within_the_document():
    document = parse_document("T\n\nSame\n\nOne.\n\nSame\n\nTwo.\n")
    anchors = [anchor for _, _, anchor, _ in document.anchored_sections()]
    assert anchors == ["same", "same-2"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("\n \n\t\n", "empty"),
        ("Only a title\n", "no body text"),
        ("Line one\nline two run together\n\nBody.\n", "first line must be the title"),
        ("x" * 201 + "\n\nBody.\n", "at most 200"),
        ("Title\n\nBody\x00 text.\n", "binary"),
    ],
)
def test_malformed_documents_are_refused(text, message):
    with pytest.raises(DocumentError, match=message):
        parse_document(text)


@pytest.mark.parametrize(
    "paragraph",
    [
        "Prices rose 5*3 times_over <b>bold</b> [link](http://x) `code` # hash",
        "1. Not a list item.",
        "- Not a bullet either.",
        "> Not a quote & not &amp; an entity.",
    ],
)
def test_paragraphs_render_back_to_their_exact_text(paragraph):
    document = parse_document(f"Title\n\nHeading\n\n{paragraph}\n")
    html = render_markdown(document.sections[0].body)
    assert BeautifulSoup(html, "html.parser").get_text().strip() == paragraph


def run(*args):
    out = io.StringIO()
    call_command("import_document", *args, stdout=out)
    return out.getvalue()


def test_command_imports_a_draft_with_tags(db, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text(DOCUMENT, encoding="utf-8")
    output = run(str(path), "--tags", "Robots, Kowloon")
    article = Article.objects.get()
    assert "Imported 'Robots Arrive in Kowloon' as /articles/robots-arrive-in-kowloon/" in output
    assert article.status == Article.Status.DRAFT
    assert sorted(article.tags.names()) == ["Kowloon", "Robots"]
    assert [s.position for s in article.sections.all()] == [0, 1, 2]


def test_command_publishes_at_a_given_time(db, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text(DOCUMENT, encoding="utf-8")
    run(str(path), "--published-at", "2026-03-01T09:00+08:00")
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at.isoformat() == "2026-03-01T01:00:00+00:00"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the document is empty"),
        (b"Just a title\n", "no body text"),
        (b"\xff\xfe\xfa not utf-8", "Cannot read"),
    ],
)
def test_command_refuses_bad_files_and_writes_nothing(db, tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(str(path))
    assert Article.objects.count() == 0


def test_command_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.txt"))


def test_command_refuses_a_bad_date(db, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text(DOCUMENT, encoding="utf-8")
    with pytest.raises(CommandError, match="not an ISO 8601"):
        run(str(path), "--published-at", "next tuesday")
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    "when", ["0001-01-01", "1899-12-31T23:00+08:00", "2201-01-01", "9999-12-31"]
)
def test_command_refuses_a_date_outside_the_range_and_writes_nothing(db, tmp_path, when):
    path = tmp_path / "doc.txt"
    path.write_text(DOCUMENT, encoding="utf-8")
    with pytest.raises(CommandError, match="Choose a date between 1 January 1900 and 31 De"):
        run(str(path), "--published-at", when)
    assert Article.objects.count() == 0


def test_import_refuses_a_date_outside_the_range(db):
    with pytest.raises(DocumentError, match="0001-01-01 is not"):
        import_document(
            DOCUMENT,
            status=Article.Status.PUBLISHED,
            published_at=datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
        )
    assert Article.objects.count() == 0


def test_command_refuses_a_section_over_the_length_limit(db, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text(f"Title\n\nHeading\n\n{'word ' * 40_001}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="at most 200,000 characters; this one has 200,00"):
        run(str(path))
    assert Article.objects.count() == 0


def test_importing_the_same_document_twice_is_refused(db, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text(DOCUMENT, encoding="utf-8")
    run(str(path))
    with pytest.raises(CommandError, match="already exists"):
        run(str(path))
    assert Article.objects.count() == 1


def test_a_failure_part_way_writes_nothing(db, monkeypatch):
    def broken_bulk_create(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Section.objects, "bulk_create", broken_bulk_create)
    with pytest.raises(RuntimeError):
        import_document(DOCUMENT)
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--slug", "has space/x"], "is not usable"),
        (["--slug", "a" * 201], "is not usable"),
        (["--tags", "x" * 101], "at most 100 characters"),
    ],
)
def test_command_refuses_bad_slugs_and_tags(db, tmp_path, args, message):
    path = tmp_path / "doc.txt"
    path.write_text(DOCUMENT, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run(str(path), *args)
    assert Article.objects.count() == 0


def test_an_imported_document_gets_the_language_of_its_text(db):
    simplified = "测试文件标题\n\n这是一段用来检查导入语言的测试文字，内容并非新闻。\n"
    english = import_document(DOCUMENT)
    chinese = import_document(simplified, slug="chinese-document")
    assert (english.language, chinese.language) == ("en", "zh-Hans")
    assert Article.objects.get(slug="chinese-document").language == "zh-Hans"
