"""The editing screen in a real browser: draft changes of a live article, autosave and
restore, the prompt before leaving, arranging sections by keyboard and by dragging, the
preview at phone width, and axe on the form. The site's CSP stays strict throughout."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from articles import revisions
from articles.models import Article, ArticleDraft, Autosave
from tests.browser import PHONE, sideways_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD_TEXT = "Ferries cross the harbour on batteries."
NEW_TEXT = "Ferries cross the harbour on hydrogen."


@pytest.fixture
def editor_page(new_context, login, admin_user):
    context = login(new_context(), admin_user)
    return context.new_page()


@pytest.fixture
def live(make_article):
    return make_article(
        title="Electric ferries",
        slug="electric-ferries",
        sections=[("Harbour", OLD_TEXT), ("Costs", "Cheaper to run."), ("Next", "More routes.")],
    )


def change(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def wait_for_autosave(page):
    expect(page.locator(".autosave-status")).to_contain_text("kept as you type")


def test_readers_keep_the_live_text_until_publish_changes(editor_page, new_context, live):
    page, reader = editor_page, new_context().new_page()
    page.goto(change(live))
    notice = page.locator("#version-notice")
    expect(notice).to_contain_text("Live since")
    page.locator("#id_sections-0-body").fill(NEW_TEXT)
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Draft changes saved")
    expect(notice).to_contain_text("draft changes by admin at")
    assert page.locator("#id_sections-0-body").input_value() == NEW_TEXT

    reader.goto(live.get_absolute_url())
    assert OLD_TEXT in reader.locator("#harbour").inner_text()
    assert NEW_TEXT not in reader.content()

    with page.expect_navigation():
        page.get_by_role("button", name="Publish changes").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Changes published")
    reader.reload()
    assert NEW_TEXT in reader.locator("#harbour").inner_text()
    assert not ArticleDraft.objects.exists()
    assert page.context.console.problems() == []


def test_a_reload_after_typing_offers_to_restore_the_typed_text(
    new_context, login, admin_user, live
):
    # An editor abroad: the admin's times are still the server's (Asia/Hong_Kong).
    page = login(new_context(timezone_id="America/New_York"), admin_user).new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Leave site?" on reload
    page.goto(change(live))
    page.locator("#id_title").click()
    page.locator("#id_title").fill("Hydrogen ferries for the harbour")
    wait_for_autosave(page)
    # The time beside the form is the server's, as in the offer after a reload.
    saved_at = revisions.when(Autosave.objects.get().saved_at)
    expect(page.locator(".autosave-status")).to_contain_text(f"(last at {saved_at})")
    page.reload()
    offer = page.locator(".autosave-offer")
    expect(offer).to_contain_text(f"You have unsaved changes from {saved_at}.")
    assert page.locator("#id_title").input_value() == "Electric ferries"
    with page.expect_navigation():
        page.get_by_role("link", name="Restore your unsaved changes from").click()
    assert page.locator("#id_title").input_value() == "Hydrogen ferries for the harbour"
    live.refresh_from_db()
    assert live.title == "Electric ferries"
    assert page.context.console.problems() == []


def test_leaving_with_unsaved_changes_asks_first(editor_page, live):
    page = editor_page
    page.goto(change(live))
    page.locator("#id_standfirst").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("A new standfirst")
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.locator("a.historylink").click()
    expect(page.locator("#id_standfirst")).to_have_value("A new standfirst", timeout=5000)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(change(live))


def headings(page):
    rows = page.locator("#sections-group .inline-related:not(.empty-form)")
    return [rows.nth(n).locator("input[name$=-heading]").input_value() for n in range(rows.count())]


@pytest.fixture
def three_sections(make_article):
    return make_article(
        status=Article.Status.DRAFT, sections=[("First", "1"), ("Second", "2"), ("Third", "3")]
    )


def test_sections_are_reordered_by_keyboard_alone(editor_page, three_sections):
    article = three_sections
    page = editor_page
    page.goto(change(article))
    first_down = page.locator("#sections-0 .section-move--down")
    first_down.focus()
    page.keyboard.press("Enter")
    assert headings(page) == ["Second", "First", "Third"]
    expect(page.locator("#section-announcer")).to_have_text("“First” is now section 2 of 3.")
    assert page.evaluate("document.activeElement.textContent") == "Move down"
    page.keyboard.press("Enter")
    assert headings(page) == ["Second", "Third", "First"]
    page.locator("#sections-2 .section-move--up").focus()  # "Third", now second
    page.keyboard.press("Space")
    assert headings(page) == ["Third", "Second", "First"]
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    assert [s.heading for s in article.sections.all()] == ["Third", "Second", "First"]


def test_sections_are_reordered_by_dragging(editor_page, three_sections):
    article = three_sections
    page = editor_page
    page.goto(change(article))
    # The mouse as a person moves it: press on the handle, start moving, drop on the
    # first section's title bar (the form scrolls in between).
    handle = page.locator("#sections-2 .section-handle")
    handle.hover()
    page.mouse.down()
    box = handle.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 20, steps=5)
    page.locator("#sections-0 h3").hover(position={"x": 5, "y": 2})
    page.mouse.up()
    expect(page.locator("#section-announcer")).to_have_text("“Third” is now section 1 of 3.")
    assert headings(page) == ["Third", "First", "Second"]
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    assert [s.heading for s in article.sections.all()] == ["Third", "First", "Second"]


def test_add_a_section_here_and_a_new_article_starts_with_one(editor_page, make_article):
    page = editor_page
    page.goto(reverse("admin:articles_article_add"))
    assert page.locator("#sections-group .inline-related:not(.empty-form)").count() == 1
    article = make_article(status=Article.Status.DRAFT, sections=[("First", "1"), ("Last", "2")])
    page.goto(change(article))
    page.locator("#sections-0").get_by_role("button", name="Add a section here").click()
    page.keyboard.type("Middle")
    assert headings(page) == ["First", "Middle", "Last"]
    expect(page.locator("#word-count")).to_contain_text("words · 1 min read")


def test_the_preview_at_phone_width_matches_the_published_page(editor_page, new_context, live):
    page = editor_page
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(change(live))
    page.get_by_role("button", name="Phone (390 px)").click()
    frame_box = page.locator("iframe.editor-preview__frame")
    expect(frame_box).to_have_attribute(
        "class", "editor-preview__frame editor-preview__frame--phone"
    )
    frame = page.frame_locator("iframe.editor-preview__frame")
    expect(frame.locator("h1.article__title")).to_have_text("Electric ferries")

    def layout(target):
        return target.locator("#harbour").evaluate(
            """e => { const s = getComputedStyle(e.querySelector('p'));
                      return [Math.round(e.getBoundingClientRect().width), s.fontFamily,
                              s.fontSize, s.lineHeight]; }"""
        )

    reader = new_context(viewport=PHONE).new_page()
    reader.goto(live.get_absolute_url())
    assert layout(frame) == layout(reader)
    assert frame.locator("link[rel=stylesheet]").count() == 1
    # Typing refreshes it with the typed text.
    page.locator("#id_sections-0-body").click()
    page.locator("#id_sections-0-body").fill("- one\n- two")
    wait_for_autosave(page)
    expect(frame.locator("#harbour li")).to_have_count(2)
    assert page.context.console.csp_violations() == []
    assert page.context.console.problems() == []


def test_the_form_of_a_live_article_with_draft_changes_passes_axe(editor_page, live):
    page = editor_page
    page.goto(change(live))
    page.locator("#id_title").fill("Hydrogen ferries")
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    violations = Axe().run(page).response["violations"]
    blocking = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] in {"critical", "serious"}
    ]
    assert blocking == []


def test_the_changelist_fits_1280_px_with_titles_cut_and_authors_whole(
    editor_page, make_article, django_user_model
):
    caroline = django_user_model.objects.create_user("caroline.wong", is_staff=True)
    long_title = " ".join(["Hong Kong's regulators weigh rules for generative models"] * 4)
    for _ in range(3):
        make_article(title=long_title, author=caroline, tags=["Regulation", "Finance"])
    page = editor_page
    page.goto(reverse("admin:articles_article_changelist"))
    assert sideways_overflow(page) == []
    cell = page.locator("#result_list th.field-headline span").first
    assert cell.get_attribute("title") == long_title
    line = float(cell.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert cell.bounding_box()["height"] <= 2 * line + 1
    author = page.locator("#result_list td.field-author").first
    assert author.inner_text() == "caroline.wong"
    assert author.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page.locator("#result_list th.column-author").inner_text().strip() == "AUTHOR"


def test_insert_image_puts_a_library_image_into_a_section(editor_page, live, make_image):
    page = editor_page
    page.on("dialog", lambda dialog: dialog.accept())
    image = make_image(size=(900, 600))
    page.goto(change(live))
    body = page.locator("#id_sections-1-body")
    body.click()
    body.press("End")
    with page.expect_popup() as opened:
        page.locator("#lookup_id_sections-1-body_image").click()
    library = opened.value
    library.wait_for_load_state()
    with library.expect_event("close"):  # chosen: the library closes
        library.locator(f'a[data-popup-opener="{image.pk}"]').first.click()
    expect(body).to_have_value(f"Cheaper to run.\n\n![](image:{image.pk})\n\n")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish changes").click()
    page.goto(live.get_absolute_url())
    figure = page.locator("#costs ~ * figure picture img, section figure picture img").first
    expect(figure).to_have_attribute("alt", image.alt_text)
    assert page.context.console.problems() == []
