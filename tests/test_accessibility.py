"""axe-core in a real browser: no critical or serious violation on the main pages.

axe-core comes bundled in the axe-playwright-python package (no download at test time).
Every page is checked in the light and the dark colour scheme, so contrast is checked
for both; moderate and minor findings are listed in the terminal summary, per page.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from articles import bylines
from articles.models import Person
from devtools.generator import add_chinese_sample
from tests.browser import note

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("home", "/"),
    ("article", "/articles/rise-of-ai-in-hong-kong/"),
    ("topics", "/tags/"),
    ("topic", "/tags/hong-kong/"),
    ("author", "/authors/mei-chan/"),
    ("archive year", "/archive/2026/"),
    ("archive month", "/archive/2026/02/"),
    ("search", "/search/?q=香港"),
    ("404", "/no-such-page/"),
    ("home, 繁體中文", "/zh-hant/"),
    ("home, 简体中文", "/zh-hans/"),
    ("Chinese article as written", "/zh-hant/articles/synthetic-chinese-sample/"),
    ("Chinese article in Simplified", "/zh-hans/articles/synthetic-chinese-sample/"),
    ("English article, 繁體中文 interface", "/zh-hant/articles/rise-of-ai-in-hong-kong/"),
    ("admin add article", "/admin/articles/article/add/"),
]
BLOCKING = {"critical", "serious"}


def describe(violation):
    nodes = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
    more = len(violation["nodes"]) - 3
    return f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}×): {nodes}" + (
        f" and {more} more" if more > 0 else ""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_violations_in_either_colour_scheme(
    request, new_context, login, seeded, admin_user, scheme
):
    add_chinese_sample()  # synthetic (devtools/generator.py), in both scripts below
    person = Person.objects.create(name="Mei Chan", slug="mei-chan", bio="Reports on AI policy.")
    for article in seeded.values():
        bylines.set_bylines(article, [person])  # the article page's byline links too
    reader = new_context(color_scheme=scheme).new_page()
    editor = login(new_context(color_scheme=scheme), admin_user).new_page()
    axe = Axe()
    blocking, counts = [], []
    for name, path in PAGES:
        page = editor if path.startswith("/admin/") else reader
        response = page.goto(path)
        assert response.status == (404 if name == "404" else 200), path
        violations = axe.run(page).response["violations"]
        by_impact = {}
        for violation in violations:
            by_impact.setdefault(violation["impact"], []).append(violation)
            if violation["impact"] in BLOCKING:
                blocking.append(f"{name} ({scheme}): {describe(violation)}")
            else:
                note(request.config, f"axe, {name} ({scheme}): {describe(violation)}")
        summary = ", ".join(f"{len(v)} {impact}" for impact, v in sorted(by_impact.items()))
        counts.append(f"{name}: {summary or 'no violations'}")
    note(request.config, f"axe-core ({scheme} scheme): " + "; ".join(counts))
    assert not blocking, "\n".join(blocking)
