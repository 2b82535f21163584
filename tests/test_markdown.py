"""Section bodies: Markdown rendered to sanitised HTML when saved."""

import pytest
from bs4 import BeautifulSoup

from articles.markdown import render_markdown


def test_markdown_becomes_html():
    html = render_markdown("Some *emphasis*, **strong** and a [link](https://example.org).")
    assert "<em>emphasis</em>" in html
    assert "<strong>strong</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">link</a>' in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "![x](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="#" onclick="alert(1)">x</a>',
        "<svg onload=alert(1)>",
        "<iframe src=https://evil.example></iframe>",
    ],
)
def test_dangerous_input_renders_inert(source):
    soup = BeautifulSoup(render_markdown(source), "html.parser")
    assert not soup.find_all(["script", "svg", "iframe", "object", "embed", "style"])
    for element in soup.find_all(True):
        assert not [name for name in element.attrs if name.lower().startswith("on")]
        for name in ("href", "src"):
            url = element.get(name, "").strip().lower()
            assert not url.startswith(("javascript:", "data:", "vbscript:")), url


def test_section_stores_rendered_html(db, make_article):
    article = make_article(sections=[("Heading", "Hello <script>x</script> *world*")])
    section = article.sections.get()
    assert "<em>world</em>" in section.body_html
    assert "<script>" not in section.body_html


def test_body_headings_sit_below_the_section_heading():
    html = render_markdown("# Big\n\n## Smaller\n\n###### Smallest")
    assert "<h3>Big</h3>" in html and "<h4>Smaller</h4>" in html and "<h6>Smallest</h6>" in html


def test_images_only_from_this_site():
    html = render_markdown("![a](https://tracker.example/p.gif) ![b](/static/img/x.png)")
    assert 'src="https://tracker.example' not in html
    assert '<img src="/static/img/x.png" alt="b">' in html
