"""Review in a real browser, as two people do it: an Author submits, the Editor gets the
mail (from a real SMTP server on 127.0.0.1) and requests changes, the Author reads the
comment, revises and submits again, the Editor publishes, and readers see it."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from articles.models import Article, ReviewStep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/change/")


def signed_in(context, user, live_server):
    """A context signed in as `user` with a session of its own (two people at once)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def serious_axe_findings(page, *selectors):
    """axe's critical and serious findings in the parts of the page `selectors` name.
    Injecting axe breaks the site's CSP on purpose: the console is checked before."""
    assert page.context.console.problems() == []
    context = {"include": [[selector] for selector in selectors]}
    violations = Axe().run(page, context=context).response["violations"]
    page.context.console.messages.clear()
    return [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] in {"critical", "serious"}
    ]


def link_in(message):
    return LINK.search(message.get_content()).group(0)


def test_an_article_goes_through_review_to_the_site(
    smtp_server, new_context, live_server, author, editor, make_article
):
    draft = make_article(
        title="Tunnel tolls", author=author, status=Article.Status.DRAFT, published_at=None
    )
    amy = signed_in(new_context(), author, live_server)
    eddie = signed_in(new_context(), editor, live_server)
    reader = new_context().new_page()

    amy.goto(f"/admin/articles/article/{draft.pk}/change/")
    with amy.expect_navigation():
        amy.get_by_role("button", name="Submit for review").click()
    expect(amy.locator("#review-state")).to_contain_text("Waiting for review: the article")

    (submitted,) = smtp_server.to("eddie@hkai.test")
    assert submitted["Subject"] == "Waiting for review: Tunnel tolls"
    eddie.goto("/admin/")
    expect(eddie.locator("#waiting-for-review")).to_contain_text("Tunnel tolls")
    eddie.goto(link_in(submitted))
    assert serious_axe_findings(eddie, "#review", "#review-actions") == []
    eddie.get_by_label("Comment for the Author").fill("Give the toll for lorries too.")
    with eddie.expect_navigation():
        eddie.get_by_role("button", name="Request changes").click()
    expect(eddie.locator(".messagelist .success")).to_contain_text("Changes requested")

    (returned,) = smtp_server.to("amy@hkai.test")
    assert "Give the toll for lorries too." in returned.get_content()
    amy.goto(link_in(returned))
    expect(amy.locator("#review-changes-requested")).to_contain_text(
        "Give the toll for lorries too."
    )
    amy.locator("#id_sections-1-body").fill("Cars pay HK$20, lorries HK$45.")
    with amy.expect_navigation():
        amy.get_by_role("button", name="Submit for review").click()
    expect(amy.locator("#review-state")).to_contain_text("Waiting for review")

    resubmitted = smtp_server.to("eddie@hkai.test")[-1]
    eddie.goto(link_in(resubmitted))
    eddie.locator("#id_status").select_option("published")
    with eddie.expect_navigation():
        eddie.locator("input[name=_continue]").click()
    expect(eddie.locator(".messagelist .success")).to_be_visible()

    reader.goto(draft.get_absolute_url())
    expect(reader.locator("main")).to_contain_text("lorries HK$45")
    assert "readers see it now" in smtp_server.to("amy@hkai.test")[-1].get_content()
    assert list(ReviewStep.objects.values_list("action", flat=True)) == [
        "submitted",
        "changes",
        "submitted",
        "approved",
    ]
    for page in (amy, eddie):
        assert page.context.console.problems() == []
