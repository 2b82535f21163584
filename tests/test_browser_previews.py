"""Preview links and bylines in a real browser: an Editor makes a link from the article's
form, copies it, a reader without an account opens it, the Editor revokes it; the
pages pass axe and the CSP stays strict."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from articles import bylines, previews
from articles.models import Article, Person, PreviewLink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def blocking(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in {"critical", "serious"}
    ]


def test_an_editor_shares_a_draft_and_revokes_the_link(
    new_context, login, admin_user, make_article
):
    draft = make_article(
        title="Harbour tunnel tolls to fall",
        status=Article.Status.DRAFT,
        sections=[("", "Tolls fall in March.")],
    )
    bylines.set_bylines(draft, [Person.objects.create(name="Amy Wong", slug="amy-wong")])
    # A superuser, as in the other browser tests: an earlier transactional test's
    # flush may have emptied the groups the migrations made.
    context = login(new_context(), admin_user)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(reverse("admin:articles_article_change", args=[draft.pk]))
    page.locator("#id_preview_days").fill("3")
    with page.expect_navigation():
        page.get_by_role("button", name="Make a preview link").click()
    address = page.locator("#preview-url").input_value()
    assert "/preview/" in address
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == address
    assert blocking(page) == []

    reader = new_context().new_page()  # no account
    response = reader.goto(address)
    assert response.status == 200
    assert response.headers["x-robots-tag"].startswith("noindex")
    expect(reader.locator(".preview-banner")).to_contain_text("Preview — not published.")
    expect(reader.locator(".article__meta .byline a")).to_have_text("Amy Wong")
    assert blocking(reader) == []

    page.get_by_role("link", name="Back to the article").click()
    expect(page.locator("#preview-links tbody tr")).to_have_count(1)
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke").click()
    expect(page.locator(".messagelist")).to_contain_text("revoked")
    assert reader.goto(address).status == 404
    assert context.console.csp_violations() == []
    assert reader.context.console.csp_violations() == []


def test_enter_in_a_field_saves_the_article_and_leaves_its_links_alone(
    new_context, login, admin_user, make_article
):
    """Enter submits a form with its first submit button: it must be the form's own
    Save, not "Revoke" or "Make a preview link" of the box above the buttons."""
    draft = make_article(title="Harbour tolls", status=Article.Status.DRAFT)
    link, _ = previews.make_link(draft, admin_user)
    page = login(new_context(), admin_user).new_page()
    page.goto(reverse("admin:articles_article_change", args=[draft.pk]))
    page.locator("#id_title").fill("Harbour tolls to fall")
    with page.expect_navigation():
        page.locator("#id_title").press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    draft.refresh_from_db()
    link.refresh_from_db()
    assert draft.title == "Harbour tolls to fall"
    assert link.revoked_at is None and PreviewLink.objects.count() == 1
