"""Cached pages are answered by the WSGI application's front door (hkai_site/front_door.py)
before Django's handler; everything else reaches Django as before."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext


def call(path, **headers):
    """(status, headers, body, whether Django's handler ran) for a request to the site's
    real WSGI application."""
    environ = RequestFactory().get(path, **headers).environ
    # As a WSGI server gives it (PEP 3333: bytes as Latin-1), not as the request decoded it.
    environ["PATH_INFO"] = environ["PATH_INFO"].encode().decode("iso-8859-1")
    started = []

    def seen(**kwargs):
        started.append(True)

    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer.update(status=status, headers=dict(response_headers))

    # Imported once the test environment has added "testserver" to ALLOWED_HOSTS.
    from hkai_site.wsgi import application

    # As Django's test client does: the test's own connection (and transaction) stays.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request_started.connect(seen)
    try:
        body = b"".join(application(environ, start_response))
    finally:
        request_started.disconnect(seen)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], body, bool(started)


def test_a_cached_page_is_answered_before_django_with_every_header(client, seeded):
    first = client.get("/")  # rendered by the views and stored
    status, headers, body, django_ran = call("/")
    assert (status, body, django_ran) == ("200 OK", first.content, False)
    for name in ["Content-Security-Policy", "Permissions-Policy", "X-Content-Type-Options",
                 "Referrer-Policy", "Cross-Origin-Opener-Policy", "X-Frame-Options", "ETag",
                 "Vary", "Content-Type"]:  # fmt: skip
        assert headers[name] == first[name], name
    assert len(headers["X-Request-ID"]) == 32
    assert call("/", HTTP_X_REQUEST_ID="proxy-42")[1]["X-Request-ID"] == "proxy-42"


def test_the_front_door_answers_conditional_requests(client, seeded):
    etag = client.get("/tags/")["ETag"]
    status, headers, body, django_ran = call("/tags/", HTTP_IF_NONE_MATCH=etag)
    assert (status, body, django_ran) == ("304 Not Modified", b"", False)
    assert call("/tags/", HTTP_IF_MATCH='"other"')[0] == "412 Precondition Failed"


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_COOKIE": "sessionid=abc"}, {"HTTP_HOST": "evil.example"}, {"HTTP_HOST": "LOCALHOST"}],
)
def test_sessions_and_other_hosts_go_to_django(client, seeded, headers):
    client.get("/")
    status, _, body, django_ran = call("/", **headers)
    assert django_ran
    assert status.startswith("400") if "evil" in str(headers) else status == "200 OK"


def test_an_edit_shows_at_once_through_the_front_door(client, make_article):
    article = make_article(title="Before the edit")
    client.get("/")
    assert b"Before the edit" in call("/")[2]
    article.title = "After the edit"
    article.save()
    with CaptureQueriesContext(connection):
        status, _, body, django_ran = call("/")
    assert b"After the edit" in body and django_ran  # a miss: rendered by Django
    assert call("/")[3] is False  # and stored again


def test_static_files_over_plain_http_are_still_redirected_under_https(settings, db):
    from django.core.handlers.wsgi import WSGIHandler

    from hkai_site.front_door import FrontDoor

    settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS = True, 3600
    settings.WHITENOISE_USE_FINDERS = True  # nothing is collected in the tests
    door = FrontDoor(WSGIHandler())  # both built with the setting
    answers = []
    environ = RequestFactory().get("/static/css/site.css").environ
    b"".join(door(environ, lambda status, headers, exc=None: answers.append((status, headers))))
    status, headers = answers[0]
    assert status.startswith("301") and dict(headers)["Location"].startswith("https://")
    secure = RequestFactory().get("/static/css/site.css", secure=True).environ
    answers.clear()
    b"".join(door(secure, lambda status, headers, exc=None: answers.append((status, headers))))
    assert answers[0][0] == "200 OK"
    assert dict(answers[0][1])["Strict-Transport-Security"].startswith("max-age=3600")


def test_addresses_in_chinese_reach_django_through_the_front_door(make_article):
    """The front door's own look at a request must leave the WSGI environ as the server
    gave it: Django's request rewrites PATH_INFO, and a second one built from that
    environ failed on any character outside Latin-1 (a 500 for every Chinese slug)."""
    from articles import bylines
    from articles.models import Person

    article = make_article(title="港鐵新線", slug="港鐵新線", tags=["人工智能"])
    bylines.set_bylines(article, [Person.objects.create(name="李明", slug="李明")])
    for path in ["/articles/港鐵新線/", "/authors/李明/", "/tags/人工智能/", "/authors/無此人/"]:
        expected = "404 Not Found" if "無此人" in path else "200 OK"
        assert call(path)[0] == expected, path  # a miss: rendered by Django
        assert call(path)[0] == expected, path  # then, for pages, from the cache


def test_an_address_in_chinese_reaches_django_intact(client, make_article):
    """WSGIRequest writes the decoded path back into the environ it is given; Django's
    handler, given that environ after a miss, could not read the path again (a 500 for
    every address with a character outside Latin-1, such as a Chinese topic's)."""
    article = make_article(title="Topic page")
    article.tags.add("網絡安全")
    status, _, body, django_ran = call("/tags/網絡安全/")
    assert (status, django_ran) == ("200 OK", True)
    assert "網絡安全" in body.decode()
    again = call("/tags/網絡安全/")
    assert (again[0], again[2], again[3]) == ("200 OK", body, False)  # then stored
    assert call("/articles/不存在/")[0].startswith("404")
