"""Images in a real browser: the rendition Chromium picks for a phone and a desktop,
nothing moving as pictures load, and axe still clean with pictures on the page."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser import DESKTOP, PHONE, sideways_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pictured(make_article, make_image):
    lead = make_image(
        size=(2400, 1600), alt_text="Bands of orange on blue, a white diagonal", caption="A test."
    )
    inline = make_image(size=(1200, 800), alt_text="A second test pattern", credit="HKAI")
    make_article(title="Older one", lead_image=make_image(size=(1200, 800)), tags=["Finance"])
    return make_article(
        title="Pictures on the page",
        slug="pictures",
        lead_image=lead,
        tags=["Finance"],
        sections=[("", "Text before.\n\n" + f"![](image:{inline.pk})" + "\n\nText after.")],
    )


def chosen(page, selector):
    """(the URL the browser chose, its natural width) once the image has loaded."""
    image = page.locator(selector)
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i.complete && i.naturalWidth > 0 }",
        arg=selector,
    )
    return image.evaluate("i => [i.currentSrc, i.naturalWidth]")


@pytest.mark.parametrize(("viewport", "width"), [(PHONE, 400), (DESKTOP, 800)])
def test_the_article_page_picks_the_rendition_for_the_screen(
    new_context, pictured, viewport, width
):
    context = new_context(viewport=viewport)
    page = context.new_page()
    fetched = []
    page.on("response", lambda r: "/media/" in r.url and fetched.append(r))
    page.goto(pictured.get_absolute_url())
    source, natural = chosen(page, ".figure--lead img")
    # Chromium decodes AVIF: it takes the first <source>, at the width `sizes` asks for.
    assert source.endswith(".avif") and f"full-{width}-" in source, source
    assert natural > 0
    box = page.locator(".figure--lead img").bounding_box()
    assert box["width"] <= width and abs(box["height"] / box["width"] - 2 / 3) < 0.01
    assert sideways_overflow(page) == []
    assert chosen(page, "section figure img")[1] > 0
    # Only the chosen width of each picture was fetched (Django's live server serves
    # media itself, so the year-long Cache-Control is tested in test_image_pages.py).
    lead_files = [r.url for r in fetched if "/full-" in r.url and r.status == 200]
    assert len(lead_files) == 2, lead_files  # the lead and the figure, once each
    assert context.console.problems() == []


def test_axe_finds_nothing_serious_with_pictures(new_context, pictured):
    page = new_context().new_page()
    for path in (pictured.get_absolute_url(), "/", "/tags/finance/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        violations = Axe().run(page).response["violations"]
        blocking = [v["id"] for v in violations if v["impact"] in ("critical", "serious")]
        assert blocking == [], (path, blocking)
        assert page.locator("img:not([alt])").count() == 0
