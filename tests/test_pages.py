"""Site-wide page structure, health check, robots.txt and error pages."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

PAGES = ["articles:list", "articles:tag_index"]


@pytest.fixture
def pages(client, seeded, make_article):
    outside = make_article(
        slug="outside-links",
        sections=[
            ("Pictures", "![pixel](https://tracker.example/p.gif) ![cdn](//cdn.example/x.png)")
        ],
    )
    urls = [reverse(name) for name in PAGES] + [
        outside.get_absolute_url(),
        reverse("articles:detail", args=["rise-of-ai-in-hong-kong"]),
        reverse("articles:tag", args=["hong-kong"]),
        "/no-such-page/",
    ]
    return {url: client.get(url) for url in urls}


def test_every_page_has_lang_skip_link_and_landmarks(pages):
    for url, response in pages.items():
        page = BeautifulSoup(response.content.decode(), "html.parser")
        assert page.html["lang"] == "en", url
        skip = page.select_one("a.skip-link")
        assert skip["href"] == "#main" and page.find(id="main").name == "main", url
        assert page.select_one("header.site-header") and page.select_one("footer.site-footer"), url
        assert page.select_one("nav[aria-label=Main]"), url
        assert len(page.find_all("h1")) == 1, url
        assert page.select_one('meta[name="viewport"]')["content"].startswith("width=device-width")


def test_nothing_is_loaded_from_another_host(pages):
    for url, response in pages.items():
        page = BeautifulSoup(response.content.decode(), "html.parser")
        loaded = "link[rel~=stylesheet], link[rel~=icon], link[rel~=preload], script[src], img"
        for element in page.select(f"{loaded}, iframe, video, audio, object, embed"):
            source = element.get("href") or element.get("src") or ""
            if element.name == "img" and not source:
                continue  # an image whose outside address was removed
            assert source.startswith("/") and not source.startswith("//"), (url, source)
    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    assert not re.search(r"url\(|@import", css)


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


# What DJANGO_ALLOWED_HOSTS=hkai.example DJANGO_HTTPS=1 sets.
@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    ALLOWED_HOSTS=["hkai.example"],
)
@pytest.mark.parametrize("probe", ["/healthz", "/livez"])
def test_probes_answer_load_balancers_probing_by_ip_over_http(client, db, probe):
    response = client.get(probe, HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert client.get(probe, HTTP_HOST="hkai.example").status_code == 200  # no redirect
    assert client.get(probe).status_code == 200  # no Host header at all
    assert client.get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400
    assert client.get("/", HTTP_HOST="hkai.example").status_code == 301  # to https


def test_healthz_is_503_when_the_database_does_not_answer(client, db, monkeypatch):
    from django.db.utils import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", refuse)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable\n"


def test_livez_answers_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert response.status_code == 200 and response.content == b"ok\n"


def test_robots_txt(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Disallow: /search/" in text
    assert "admin" not in text  # the admin's address is not advertised


def test_404_page_helps_the_reader(pages):
    response = pages["/no-such-page/"]
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b'href="/"' in response.content


@override_settings(DEBUG=False, SITE_NAME="Example News")
def test_500_page_leaks_nothing_but_the_site_name(client, db, monkeypatch):
    from articles import views

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views.ArticleListView, "get_queryset", explode)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong · Example News" in body
    assert "secret internals" not in body and "Traceback" not in body


def test_post_to_a_reader_page_is_refused_not_an_error(client, db):
    assert client.post(reverse("articles:tag_index")).status_code == 405
    assert client.post("/healthz").status_code == 405


@override_settings(SITE_NAME="Example News")
@pytest.mark.parametrize("language", ["en", "zh-hant", "zh-hans"])
def test_the_site_name_comes_from_settings_everywhere_it_appears(
    client, admin_client, seeded, language
):
    headers = {"Accept-Language": language}
    with translation.override(language):  # the pages at their addresses in it
        public = [
            reverse("articles:list"),
            "/?page=1",
            reverse("articles:detail", args=["rise-of-ai-in-hong-kong"]),
            reverse("articles:tag_index"),
            reverse("articles:tag", args=["hong-kong"]),
            reverse("articles:search") + "?q=AI",
            reverse("articles:feed"),
            reverse("articles:atom_feed"),
            reverse("articles:tag_feed", args=["hong-kong"]),
            reverse("articles:tag_atom_feed", args=["hong-kong"]),
            "/llms.txt",
            "/no-such-page/",
            reverse("admin:login"),
        ]
    staff = [reverse("admin:index"), reverse("admin:articles_article_changelist")]
    responses = [client.get(url, headers=headers) for url in public]
    responses += [admin_client.get(url, headers=headers) for url in staff]
    for response in responses:
        text = response.content.decode()
        assert "Example News" in text, response.request["PATH_INFO"]
        assert "HKAI" not in text, (response.request["PATH_INFO"], text)


def test_a_database_outage_is_a_503_with_one_log_line(client, db, caplog):
    """While the database cannot be reached, pages answer 503 with Retry-After (clients
    and load balancers try again) and the log has one line naming the cause."""
    from django.db import OperationalError, connection

    def unreachable(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    client.raise_request_exception = False
    with connection.execute_wrapper(unreachable), caplog.at_level("ERROR"):
        response = client.get("/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "cannot reach its database" in response.content.decode()
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1 and "database unavailable" in records[0].getMessage()
    assert records[0].exc_info is None  # one line, no traceback
