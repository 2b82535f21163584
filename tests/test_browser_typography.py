"""Chinese set as Hong Kong and mainland readers expect, in a real browser with Noto CJK
(devtools/chromium.py installs Debian's fonts-noto-cjk): each headline the same font on
every page, each region's fonts, line breaking that never starts a line with a comma."""

import datetime

import pytest
from django.utils import timezone

from devtools.generator import add_chinese_sample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STYLE = """e => { const s = getComputedStyle(e);
  return [s.fontFamily, s.fontWeight, s.lineBreak, s.fontSize]; }"""
# The fonts the browser actually draws a title's first character with.
DRAWN = "e => document.fonts.check('16px ' + getComputedStyle(e).fontFamily, e.textContent)"


@pytest.fixture
def articles(make_article):
    english = make_article(
        slug="harbour", title="Harbour robots work the night shift", tags=["Robotics"]
    )
    chinese = add_chinese_sample()
    chinese.published_at = timezone.now() - datetime.timedelta(hours=3)
    chinese.save()
    return english, chinese


def font(page, url, selector):
    page.goto(url)
    return page.locator(selector).first.evaluate(STYLE)


def test_a_headline_is_the_same_font_on_the_home_and_article_pages(page, articles):
    english, chinese = articles
    for prefix in ["", "/zh-hant", "/zh-hans"]:
        card = font(page, f"{prefix}/", f'.card__title a[href="{prefix}/articles/harbour/"]')
        article = font(page, f"{prefix}/articles/harbour/", ".article__title")
        assert card[0] == article[0], prefix
        assert "Noto Sans CJK" not in article[0]  # an English headline: Latin fonts
    card = font(page, "/zh-hant/", '.card__title a[href$="/synthetic-chinese-sample/"]')
    article = font(page, "/zh-hant/articles/synthetic-chinese-sample/", ".article__title")
    assert card[0] == article[0] and "Noto Sans CJK HK" in article[0]


def test_each_script_gets_its_regions_fonts_and_strict_line_breaking(page, articles):
    traditional = font(page, "/zh-hant/articles/synthetic-chinese-sample/", ".article__body p")
    simplified = font(page, "/zh-hans/articles/synthetic-chinese-sample/", ".article__body p")
    assert "Noto Serif CJK HK" in traditional[0] and "Noto Serif CJK SC" in simplified[0]
    assert traditional[2] == simplified[2] == "strict"
    assert page.evaluate("document.documentElement.lang") == "zh-Hans-CN"
    assert page.locator(".article__title").evaluate(DRAWN)


def test_no_line_of_a_chinese_paragraph_starts_with_closing_punctuation(page, articles):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/zh-hant/articles/synthetic-chinese-sample/")
    starts = page.evaluate(
        """() => {
        const starts = [];
        for (const p of document.querySelectorAll('.article__body p')) {
          const text = p.firstChild;
          if (!text || text.nodeType !== 3) continue;
          const range = document.createRange();
          let top = null;
          for (let i = 0; i < text.length; i++) {
            range.setStart(text, i); range.setEnd(text, i + 1);
            const rect = range.getClientRects()[0];
            if (rect && (top === null || rect.top > top + 2)) {
              top = rect.top; starts.push(text.data[i]);
            }
          }
        }
        return starts;
    }"""
    )
    assert len(starts) > 6  # several lines at this width
    assert not set(starts) & set("，。、；：」』）！？")
