"""Shareable preview links: a secret address that shows a draft (or a live article's
draft changes) to anyone, never cached or indexed, expiring, revocable; every token
that opens nothing is the same 404."""

import datetime
import re

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles import bylines, drafts, previews
from articles.models import Article, Person, PreviewLink
from tests.helpers import change_url, form_data

pytestmark = pytest.mark.django_db


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def make_url(article):
    return reverse("admin:articles_article_preview_link", args=[article.pk])


def revoke_url(article):
    return reverse("admin:articles_article_preview_revoke", args=[article.pk])


def share(client, article, days=None):
    """Make a link through the admin as the form's button does; its address."""
    data = {} if days is None else {"preview_days": str(days)}
    response = client.post(make_url(article), data)
    assert response.status_code == 200, response.status_code
    return soup(response).select_one("#preview-url")["value"].removeprefix("http://testserver")


def page_keys():
    return [key for key in cache._cache if "hkai:page:" in key]


@pytest.fixture
def draft(make_article, author):
    return make_article(
        title="Harbour tunnel tolls to fall",
        status=Article.Status.DRAFT,
        author=author,
        sections=[("", "The **draft** text.")],
    )


def test_anyone_with_the_link_sees_the_draft_marked_as_a_preview(client, editor, client_for, draft):
    url = share(client_for(editor), draft)
    assert re.fullmatch(r"/preview/[A-Za-z0-9_-]{43}/", url)
    assert client.get(draft.get_absolute_url()).status_code == 404  # still a draft
    response = client.get(url)
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("h1").get_text() == "Harbour tunnel tolls to fall"
    assert "Preview — not published." in page.select_one(".preview-banner").get_text()
    assert "draft" in page.select_one("section").get_text()
    assert page.select_one('meta[name="robots"]')["content"] == "noindex"
    assert "noindex" in response["X-Robots-Tag"]
    control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= control
    assert response["Referrer-Policy"] == "no-referrer"
    assert not response.cookies


def test_only_a_hash_of_the_token_is_stored(editor, client_for, draft):
    url = share(client_for(editor), draft)
    token = url.split("/")[2]
    link = PreviewLink.objects.get()
    stored = " ".join(str(value) for value in PreviewLink.objects.values_list().get())
    assert token not in stored
    assert link.token_hash == previews.digest(token) and len(link.token_hash) == 64


def test_a_live_articles_link_shows_its_draft_changes(client, editor, client_for, make_article):
    live = make_article(title="Ferries run on batteries")
    eddie = client_for(editor)
    data = form_data(eddie.get(change_url(live)))
    data["title"] = "Ferries run on hydrogen"
    eddie.post(change_url(live), data)  # "Save" on a live article: draft changes
    url = share(eddie, live)
    preview = soup(client.get(url))
    assert preview.select_one("h1").get_text() == "Ferries run on hydrogen"
    assert "Preview of changes — not published." in preview.select_one(".preview-banner").text
    assert "Ferries run on batteries" in client.get(live.get_absolute_url()).content.decode()


def test_a_link_to_an_article_published_since_leads_to_the_article(
    client, editor, client_for, draft
):
    url = share(client_for(editor), draft)
    Article.objects.filter(pk=draft.pk).update(
        status=Article.Status.PUBLISHED, published_at=timezone.now()
    )
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    assert "no-store" in response["Cache-Control"]
    assert client.get(response["Location"]).status_code == 200


def test_the_preview_names_the_bylines(client, editor, client_for, draft):
    person = Person.objects.create(name="Amy Wong", slug="amy-wong")
    bylines.set_bylines(draft, [person])
    byline = soup(client.get(share(client_for(editor), draft))).select_one(".byline")
    assert byline.get_text(" ", strip=True) == "By Amy Wong"


def test_a_preview_is_never_stored_in_the_page_cache(client, editor, client_for, draft):
    url = share(client_for(editor), draft)
    client.get("/")  # an ordinary page is stored
    stored = page_keys()
    assert stored
    for _ in range(2):
        assert client.get(url).status_code == 200
    assert page_keys() == stored
    PreviewLink.objects.update(revoked_at=timezone.now())  # no content version moves
    assert client.get(url).status_code == 404


def test_a_link_expires_after_the_chosen_days(client, editor, client_for, draft):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        url = share(client_for(editor), draft, days=3)
    link = PreviewLink.objects.get()
    assert link.expires_at == start + datetime.timedelta(days=3)
    with time_machine.travel(start + datetime.timedelta(days=3, seconds=-1), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(start + datetime.timedelta(days=3), tick=False):
        assert client.get(url).status_code == 404


def test_the_default_is_seven_days_and_the_choice_one_to_thirty(editor, client_for, draft):
    eddie = client_for(editor)
    page = soup(eddie.get(change_url(draft)))
    assert page.select_one("#id_preview_days")["value"] == "7"
    share(eddie, draft, days=7)
    link = PreviewLink.objects.get()
    assert link.expires_at - link.created_at == datetime.timedelta(days=7)
    for bad in ["0", "31", "-1", "abc", "9" * 30, "2.5"]:
        response = eddie.post(make_url(draft), {"preview_days": bad}, follow=True)
        assert response.status_code == 200
        assert "No preview link made" in response.content.decode(), bad
    assert PreviewLink.objects.count() == 1


def test_revoking_closes_the_link_at_once(client, editor, client_for, draft):
    eddie = client_for(editor)
    url = share(eddie, draft)
    assert client.get(url).status_code == 200
    link = PreviewLink.objects.get()
    response = eddie.post(revoke_url(draft), {"link": str(link.pk)})
    assert response.status_code == 302 and response["Location"] == change_url(draft)
    assert client.get(url).status_code == 404
    rows = soup(eddie.get(change_url(draft))).select("#preview-links tbody tr")
    assert [row.select("td")[2].get_text() for row in rows] == ["Revoked"]
    assert not rows[0].select("button")


def test_the_form_lists_the_links_with_revoke_buttons(editor, client_for, draft):
    eddie = client_for(editor)
    share(eddie, draft)
    share(eddie, draft, days=30)
    rows = soup(eddie.get(change_url(draft))).select("#preview-links tbody tr")
    assert len(rows) == 2
    hints = {link.hint for link in PreviewLink.objects.all()}
    assert {row.select_one("code").get_text()[9:15] for row in rows} == hints
    buttons = [row.select_one("button[formaction]") for row in rows]
    assert all(b["formaction"] == revoke_url(draft) and b["name"] == "link" for b in buttons)


def test_every_token_that_opens_nothing_is_the_same_404(client, editor, client_for, draft):
    eddie = client_for(editor)
    expired_at = timezone.now() - datetime.timedelta(days=8)
    with time_machine.travel(expired_at, tick=False):
        expired = share(eddie, draft, days=1)
    revoked = share(eddie, draft)
    PreviewLink.objects.filter(token_hash=previews.digest(revoked.split("/")[2])).update(
        revoked_at=timezone.now()
    )
    doomed = share(eddie, draft)
    unknown = "/preview/" + "A" * 43 + "/"
    tokens = [
        expired,
        revoked,
        unknown,
        "/preview/short/",
        "/preview/" + "x" * 10_000 + "/",
        "/preview/" + "A" * 42 + "!/",
        "/preview/%00" + "A" * 42 + "/",
        "/preview/" + doomed.split("/")[2].swapcase() + "/",  # case matters
    ]
    Article.objects.filter(pk=draft.pk).delete()
    tokens.append(doomed)
    bodies = set()
    for url in tokens:
        response = client.get(url)
        assert response.status_code == 404, url[:60]
        # The page names its own address (canonical link, language links): not counted.
        bodies.add(re.sub(r"preview(/|%2F)[^\"'&\s]*", "preview/…", response.content.decode()))
    assert len(bodies) == 1
    assert client.head(unknown).status_code == 404


def test_author_shares_their_own_drafts_only(author, other_author, client_for, draft, make_article):
    amy = client_for(author)
    assert share(amy, draft)
    theirs = make_article(status=Article.Status.DRAFT, author=other_author)
    assert amy.post(make_url(theirs), {"preview_days": "7"}).status_code == 403
    assert not PreviewLink.objects.filter(article=theirs).exists()
    assert "preview-links" not in amy.get(change_url(theirs)).content.decode()


def test_forged_revoke_of_someone_elses_link_is_refused(
    author, other_author, client_for, make_article, editor
):
    theirs = make_article(status=Article.Status.DRAFT, author=other_author)
    link, token = previews.make_link(theirs, editor)
    amy = client_for(author)
    assert amy.post(revoke_url(theirs), {"link": str(link.pk)}).status_code == 403
    own = make_article(status=Article.Status.DRAFT, author=author)
    # A link of another article through one's own article's address: not found.
    assert amy.post(revoke_url(own), {"link": str(link.pk)}).status_code == 404
    for junk in ["", "abc", "9" * 40]:
        assert amy.post(revoke_url(own), {"link": junk}).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_without_an_account_or_permission_no_link_is_made(
    client, db, django_user_model, client_for, draft
):
    assert client.post(make_url(draft), {"preview_days": "7"}).status_code == 302  # sign in
    reader = django_user_model.objects.create_user("reader", password="pw", is_staff=True)
    assert client_for(reader).post(make_url(draft), {"preview_days": "7"}).status_code == 403
    assert client_for(reader).get(make_url(draft)).status_code == 405
    assert not PreviewLink.objects.exists()
    junk = reverse("admin:articles_article_preview_link", args=["99999999999999999999999"])
    editor_like = django_user_model.objects.create_superuser("root", password="pw")
    assert client_for(editor_like).post(junk, {"preview_days": "7"}).status_code == 404


def test_the_made_address_is_not_kept_anywhere(editor, client_for, draft):
    response = client_for(editor).post(make_url(draft), {"preview_days": "7"})
    assert "no-store" in response["Cache-Control"]
    token = soup(response).select_one("#preview-url")["value"].split("/")[4]
    assert LogEntry.objects.filter(change_message__contains="preview link").exists()
    assert all(token not in entry.change_message for entry in LogEntry.objects.all())
    assert drafts.autosave_of(editor, draft.pk) is None
