"""An editor in a real browser: sign in, write, preview, publish, edit, restore.

Also checks the admin's own scripts under the site's Content-Security-Policy
(script-src 'self'): no violation and no script error in the browser console.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "harbour lights at midnight"
TITLE = "Drones inspect the harbour bridges"
FIRST_TEXT = "Inspectors now fly small drones under the Tsing Ma Bridge."
EDITED_TEXT = "Inspectors fly drones under every bridge in the harbour."


@pytest.fixture
def editor_user(django_user_model):
    return django_user_model.objects.create_superuser("edith", "edith@hkai.test", PASSWORD)


def admin_url(name, *args):
    return reverse(f"admin:{name}", args=args)


def save(page, button="_continue"):
    """Press a save button and wait for the next page's success message."""
    with page.expect_navigation():
        page.locator(f"input[name={button}]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()


def test_editor_writes_previews_publishes_edits_and_restores(
    new_context, editor_user, make_article
):
    make_article(title="An older story", tags=["Harbour"])
    context = new_context()
    page = context.new_page()

    # Sign in through the real form (django-axes checks every attempt).
    response = page.goto(admin_url("articles_article_add"))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_url(re.compile(r"/admin/login/\?next="))
    page.get_by_label("Username").fill("edith")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{admin_url('articles_article_add')}")

    # A new article with two sections and two tags, saved as a draft.
    page.locator("#id_title").press_sequentially(TITLE)
    assert page.locator("#id_slug").input_value() == "drones-inspect-the-harbour-bridges"
    page.locator("#id_standfirst").fill("Bridge inspections go airborne.")
    page.locator("#id_tags").fill("Harbour, Drones")
    page.get_by_role("button", name="Add another Section").click()  # it starts with one
    page.locator("#id_sections-0-heading").fill("Under the bridge")
    page.locator("#id_sections-0-body").fill(FIRST_TEXT)
    page.locator("#id_sections-1-heading").fill("What the drones see")
    page.locator("#id_sections-1-body").fill("Cracks, rust and **loose bolts**.")
    assert page.locator("#id_status").input_value() == "draft"
    save(page)
    article = Article.objects.get(slug="drones-inspect-the-harbour-bridges")
    assert article.status == Article.Status.DRAFT
    assert [s.heading for s in article.sections.all()] == [
        "Under the bridge",
        "What the drones see",
    ]
    assert sorted(article.tags.names()) == ["Drones", "Harbour"]

    # Preview it on the site as staff: the banner says it is not public.
    page.locator("a.viewsitelink").click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    assert "Preview — not published" in page.locator(".preview-banner").inner_text()
    assert FIRST_TEXT in page.locator("#under-the-bridge").inner_text()
    reader = new_context().new_page()
    assert reader.goto(article.get_absolute_url()).status == 404

    # Publish: it appears on the home page for an anonymous reader.
    page.goto(admin_url("articles_article_change", article.pk))
    page.locator("#id_status").select_option("published")
    save(page)
    reader.goto("/")
    reader.get_by_role("link", name=TITLE).click()
    reader.wait_for_url(f"**{article.get_absolute_url()}")
    assert reader.locator(".preview-banner").count() == 0
    assert FIRST_TEXT in reader.locator("#under-the-bridge").inner_text()

    # Edit the first section: a draft until "Publish changes".
    page.locator("#id_sections-0-body").fill(EDITED_TEXT)
    save(page)
    reader.reload()
    assert FIRST_TEXT in reader.locator("#under-the-bridge").inner_text()
    save(page, "_publish_changes")
    reader.reload()
    assert EDITED_TEXT in reader.locator("#under-the-bridge").inner_text()

    # History: restore the revision saved when it was published, before the edit.
    page.locator("a.historylink").click()
    page.wait_for_url("**/history/")
    revisions = page.locator("#change-history tbody tr")
    assert revisions.count() == 3  # added, published, edited; newest first
    revisions.nth(1).locator("a").first.click()
    page.wait_for_url(re.compile(r"/history/\d+/$"))
    assert page.locator("#id_sections-0-body").input_value() == FIRST_TEXT
    save(page, "_save")
    reader.reload()
    assert FIRST_TEXT in reader.locator("#under-the-bridge").inner_text()
    assert EDITED_TEXT not in reader.content()

    # Compare the restore with the edit before it: the edited words are marked.
    page.goto(admin_url("articles_article_history", article.pk))
    newest = page.locator("#change-history tbody tr").first.inner_text()
    assert "Restored the version of" in newest
    page.get_by_role("button", name="Compare selected versions").click()
    page.wait_for_url("**/history/compare/?*")
    assert page.locator(".version-compare ins").count() > 0

    assert context.console.csp_violations() == []
    assert context.console.problems() == []


def test_tag_suggestions_offer_an_existing_tag_while_typing(
    new_context, login, editor_user, make_article
):
    make_article(tags=["Harbour", "Finance"])
    context = login(new_context(), editor_user)
    page = context.new_page()
    page.goto(admin_url("articles_article_add"))
    tags = page.locator("#id_tags")
    tags.press_sequentially("Drones, har")
    option = page.locator("#id_tags-suggestions [role=option]")
    expect(option).to_have_text(["Harbour"])  # only the topic matching "har"
    assert tags.get_attribute("aria-expanded") == "true"
    option.first.click()
    assert tags.input_value() == "Drones, Harbour, "
    assert page.locator("#id_tags-suggestions").is_hidden()
    assert context.console.problems() == []


def test_markdown_preview_shows_rendered_html(new_context, login, editor_user):
    context = login(new_context(), editor_user)
    page = context.new_page()
    page.goto(admin_url("articles_article_add"))  # with one section to start
    page.locator("#id_sections-0-body").fill(
        "Some **bold** words and a [link](https://example.org)."
    )
    page.get_by_role("button", name="Preview").click()
    panel = page.locator(".markdown-preview")
    panel.wait_for()
    assert panel.locator("strong").inner_text() == "bold"
    assert panel.locator("a").get_attribute("href") == "https://example.org"
    assert page.get_by_role("button", name="Hide preview").count() == 1
    assert context.console.problems() == []
