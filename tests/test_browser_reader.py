"""A reader in a real browser: the journey through the site, phones, and the keyboard."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import PHONE, sideways_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARAGRAPH = (
    "Container cranes at Kwai Tsing now unload ships through the night with fewer people "
    "on the quay, and the terminal operators say the machines learn from every shift. "
)
CODE = "    retrain --operators=" + ",".join(f"crane-{n}" for n in range(40))
LONG_LINK = "https://example.org/" + "a-very-long-address-without-any-break-" * 4


@pytest.fixture
def newsroom(make_article):
    """Twelve published articles (two pages), the newest a long one with four sections."""
    now = timezone.now()
    for n in range(11):
        make_article(
            title=f"Older story {n + 1}",
            published_at=now - datetime.timedelta(days=30 - n),
            tags=["Finance"] if n % 2 else ["Regulation"],
        )
    body = "\n\n".join([PARAGRAPH * 3] * 4)
    return make_article(
        title="Harbour robots work the night shift",
        slug="harbour-robots",
        standfirst="Automation arrives at the container port, one crane at a time.",
        published_at=now - datetime.timedelta(hours=2),
        tags=["Robotics", "Hong Kong"],
        sections=[
            ("", body),
            ("Port automation", body + f"\n\nSee [the operator's report]({LONG_LINK})."),
            ("Funding", body + "\n\nA quayside fund pays for the retraining.\n\n" + CODE),
            ("What comes next", body),
        ],
    )


def test_home_article_contents_tag_list_and_next_page(page, newsroom):
    page.goto("/")
    assert page.locator("h1").inner_text() == "Latest articles"
    assert page.locator("link[rel=stylesheet]").count() == 1
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert page.locator("article.card").count() == 10

    page.get_by_role("link", name="Harbour robots work the night shift").click()
    page.wait_for_url("**/articles/harbour-robots/")
    assert page.locator("h1").inner_text() == "Harbour robots work the night shift"
    expect(page.locator("#what-comes-next")).not_to_be_in_viewport()

    page.locator(".toc").get_by_role("link", name="What comes next").click()
    page.wait_for_url("**/articles/harbour-robots/#what-comes-next")
    expect(page.locator("#what-comes-next h2")).to_be_in_viewport(ratio=1)

    page.locator(".article__footer").get_by_role("link", name="Robotics").click()
    page.wait_for_url("**/tags/robotics/")
    assert page.locator("h1").inner_text() == "Robotics"
    assert page.locator("article.card").count() == 1

    page.locator(".site-nav").get_by_role("link", name="Latest").click()
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_role("link", name="Older →").click()
    page.wait_for_url("**/?page=2")
    assert "Page 2 of 2" in page.locator(".pagination").inner_text()
    titles = page.locator(".card__title").all_inner_texts()
    assert titles == ["Older story 2", "Older story 1"]


def test_a_search_lands_on_the_matching_section(page, newsroom):
    page.goto("/search/")
    page.get_by_label("Search articles").fill("quayside")
    page.get_by_label("Search articles").press("Enter")
    page.wait_for_url("**/search/?q=quayside")
    result = page.locator(".search-result__title a")
    assert result.count() == 1
    result.click()
    page.wait_for_url("**/articles/harbour-robots/#funding")
    expect(page.locator("#funding h2")).to_be_in_viewport(ratio=1)


@pytest.mark.parametrize(
    "path",
    ["/", "/articles/harbour-robots/", "/tags/", "/tags/robotics/", "/search/?q=crane", "/nope/"],
)
def test_phones_never_scroll_sideways_and_keep_the_navigation(new_context, newsroom, path):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(path)
    assert sideways_overflow(page) == []
    links = page.locator(".site-nav a")
    assert links.count() == 3
    boxes = [links.nth(n).bounding_box() for n in range(3)]
    for box in boxes:
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["y"] + box["height"] <= PHONE["height"]  # on the first screen
        assert box["height"] >= 24 and box["width"] >= 24  # WCAG 2.5.8 target size
    assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"]  # side by side, no overlap
    links.nth(1).tap()
    page.wait_for_url("**/tags/")


def test_keyboard_alone_reaches_every_link_and_the_skip_link_comes_first(page, newsroom):
    page.goto("/")
    total = page.evaluate(
        "() => { const links = [...document.querySelectorAll('a[href]')];"
        " links.forEach((a, n) => a.dataset.tabIndexForTest = n); return links.length; }"
    )
    assert total > 30  # header, ten cards with their topics, pages, footer
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    expect(page.locator(".skip-link")).to_be_in_viewport(ratio=1)  # shown once focused

    reached = set()
    for _ in range(total + 5):
        reached.add(page.evaluate("document.activeElement.dataset.tabIndexForTest"))
        page.keyboard.press("Tab")
    assert reached >= {str(n) for n in range(total)}

    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.evaluate("document.activeElement.tagName") == "MAIN"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_lines_stay_readable_the_dark_scheme_and_print_change_the_page(new_context, newsroom):
    light = new_context().new_page()
    light.goto("/articles/harbour-robots/")
    # A line of body text holds at most about 70 characters, however wide the window.
    per_line = light.evaluate(
        """() => { const p = document.querySelector('.article__body p');
          const probe = document.createElement('span'); probe.textContent = '0'.repeat(100);
          probe.style.position = 'absolute'; probe.style.whiteSpace = 'nowrap';
          p.appendChild(probe); const ch = probe.getBoundingClientRect().width / 100;
          probe.remove(); return p.getBoundingClientRect().width / ch; }"""
    )
    assert 45 <= per_line <= 70, per_line
    # The keyboard's focus is drawn as a clear ring.
    light.keyboard.press("Tab")
    ring = light.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert ring[0] == "solid" and ring[1] >= 2, ring

    dark = new_context(color_scheme="dark").new_page()
    dark.goto("/articles/harbour-robots/")
    background = "() => getComputedStyle(document.body).backgroundColor"
    assert dark.evaluate(background) != light.evaluate(background)

    light.emulate_media(media="print")
    expect(light.locator(".site-nav")).to_be_hidden()
    expect(light.locator(".toc")).to_be_hidden()
    expect(light.locator("h1")).to_be_visible()
