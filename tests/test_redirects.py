"""A published article's old addresses answer 301 to the current one."""

from articles.models import Article, SlugRedirect
from tests.helpers import change_url, form_data


def rename(article, slug):
    article.slug = slug
    article.save()


def test_renamed_published_article_redirects_permanently(client, make_article):
    article = make_article(slug="first-name")
    rename(article, "second-name")
    response = client.get("/articles/first-name/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/second-name/"


def test_chains_of_renames_land_on_the_current_address(client, make_article):
    article = make_article(slug="one")
    rename(article, "two")
    rename(article, "three")
    rename(article, "four")
    for old in ("one", "two", "three"):
        response = client.get(f"/articles/{old}/")
        assert (response.status_code, response["Location"]) == (301, "/articles/four/")
    assert client.get("/articles/four/").status_code == 200


def test_renaming_back_reclaims_the_old_address(client, make_article):
    article = make_article(slug="alpha")
    rename(article, "beta")
    rename(article, "alpha")
    assert client.get("/articles/alpha/").status_code == 200
    assert client.get("/articles/beta/")["Location"] == "/articles/alpha/"
    assert not SlugRedirect.objects.filter(old_slug="alpha").exists()


def test_draft_renames_make_no_redirects(client, make_article):
    article = make_article(slug="draft-one", status=Article.Status.DRAFT)
    rename(article, "draft-two")
    assert SlugRedirect.objects.count() == 0


def test_redirect_to_an_unpublished_article_is_404(client, make_article):
    article = make_article(slug="was-live")
    rename(article, "now-live")
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert client.get("/articles/was-live/").status_code == 404


def test_an_editor_renaming_in_the_admin_gets_the_redirect(admin_client, client, make_article):
    article = make_article(slug="admin-old")
    data = form_data(admin_client.get(change_url(article)), publish=True)
    data["slug"] = "admin-new"
    assert admin_client.post(change_url(article), data).status_code == 302
    assert client.get("/articles/admin-old/")["Location"] == "/articles/admin-new/"
