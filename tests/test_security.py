"""Production posture, security headers, the protected admin and inert content."""

import datetime
import io
import logging
import sys

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from articles.markdown import render_markdown
from articles.models import Article
from tests.helpers import run_python

PRODUCTION = {
    "DJANGO_SECRET_KEY": "k8Jq2vN5xR7pL3mW9tY6bC1dF4gH0sZ-aE_uI2oP7qK5rT8wX3yV6nM9cB1",
    "DJANGO_ALLOWED_HOSTS": "hkai.example",
    "DJANGO_HTTPS": "1",
    "DJANGO_SETTINGS_MODULE": "hkai_site.settings",
}


def test_check_deploy_reports_nothing_with_production_settings():
    result = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_warns_without_https_settings():
    env = {**PRODUCTION, "DJANGO_HTTPS": "0"}
    result = run_python("manage.py", "check", "--deploy", env=env)
    assert "security.W008" in result.stdout + result.stderr


@pytest.mark.parametrize("url", ["/", "/tags/", "/search/?q=ai", "/no-such-page/", "/feed/"])
def test_every_response_carries_the_security_headers(client, seeded, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert len(response["X-Request-ID"]) == 32


def inline_scripts(response):
    page = BeautifulSoup(response.content.decode(), "html.parser")
    return [
        script
        for script in page.find_all("script")
        if not script.get("src")
        and script.get("type") not in ("application/json", "application/ld+json")
    ]


def test_no_page_runs_inline_script_so_the_csp_holds(client, admin_client, seeded):
    article = seeded["rise-of-ai-in-hong-kong"]
    public = ["/", "/tags/", "/tags/hong-kong/", article.get_absolute_url(), "/search/?q=AI"]
    admin = [
        reverse("admin:index"),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_add"),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_article_history", args=[article.pk]),
        reverse("admin:taggit_tag_changelist"),
    ]
    for url in public:
        assert inline_scripts(client.get(url)) == [], url
    for url in admin:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert inline_scripts(response) == [], url
        assert "script-src 'self'" in response["Content-Security-Policy"]


def test_request_id_from_a_proxy_is_kept_and_bad_ones_replaced(client, db):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="<script>" + "x" * 100)["X-Request-ID"]
    assert len(replaced) == 32 and replaced.isalnum()


@pytest.fixture
def log():
    """What the site writes to stdout while the test runs (the one handler of the root
    and django loggers), as a function returning the lines so far."""
    handler = next(h for h in logging.getLogger("django").handlers if h.name == "stdout")
    assert handler.stream in (sys.stdout, sys.__stdout__) or "stdout" in repr(handler.stream)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield lambda: buffer.getvalue().splitlines()
    handler.setStream(previous)


def test_errors_are_logged_to_stdout_with_path_and_request_id(client, db, log):
    client.get("/articles/not-here/", HTTP_X_REQUEST_ID="req-42")
    assert "WARNING django.request [req-42] Not Found: /articles/not-here/" in log()[0]


def test_a_refused_request_is_one_log_line_without_a_traceback(client, django_user_model, log):
    client.force_login(django_user_model.objects.create_user("visitor", is_staff=True))
    response = client.get(reverse("admin:articles_article_add"))
    assert response.status_code == 403
    assert log()[-1].endswith("Forbidden (Permission denied): /admin/articles/article/add/")
    assert not [line for line in log() if "Traceback" in line or not line[:4].isdigit()], log()


def test_favicon_ico_is_the_sites_icon_and_logs_nothing(client, db, log):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].startswith("/static/img/favicon")
    assert log() == []


def test_signing_in_logs_no_line_and_a_wrong_password_one(client, admin_user, log):
    client.post(reverse("admin:login"), {"username": "admin", "password": "wrong"})
    assert len(log()) == 1 and "WARNING axes" in log()[0], log()
    client.post(reverse("admin:login"), {"username": "admin", "password": "password"})
    assert len(log()) == 1, log()


# The admin.

LOGIN = reverse("admin:login")


@override_settings(AXES_FAILURE_LIMIT=3)
def test_brute_force_logins_are_locked_out(client, admin_user):
    for _ in range(3):
        response = client.post(LOGIN, {"username": "admin", "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post(LOGIN, {"username": "admin", "password": "password"})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def sign_in(password, address, forwarded=None):
    """The status of one sign-in through the admin form, from a fresh browser whose
    connection comes from `address` (the proxy's, behind one) with X-Forwarded-For."""
    headers = {"REMOTE_ADDR": address}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    form = {"username": "admin", "password": password}
    return Client().post(LOGIN, form, **headers).status_code


def guess_five_times(address, forwarded=None):
    for _ in range(5):
        assert sign_in("wrong", address, forwarded) in (200, 429)


def test_a_lockout_holds_for_the_guessing_address_only(admin_user):
    guess_five_times("203.0.113.5")
    assert sign_in("password", "203.0.113.5") == 429
    assert sign_in("password", "198.51.100.7") == 302  # the editor, elsewhere


def test_the_lockout_ends_after_the_cool_off(admin_user):
    start = timezone.now()
    guess_five_times("203.0.113.5")
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        assert sign_in("password", "203.0.113.5") == 302


def test_trying_again_while_locked_out_restarts_the_cool_off(admin_user):
    start = timezone.now()
    guess_five_times("203.0.113.5")
    for minutes in (14, 28):  # each attempt while locked counts 15 minutes afresh
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert sign_in("password", "203.0.113.5") == 429
    with time_machine.travel(start + datetime.timedelta(minutes=44), tick=False):
        assert sign_in("password", "203.0.113.5") == 302


def test_without_trusted_proxies_a_forged_forwarded_for_is_ignored(admin_user):
    for n in range(5):  # a new made-up address in every guess
        assert sign_in("wrong", "203.0.113.5", f"192.0.2.{n}") in (200, 429)
    assert sign_in("password", "203.0.113.5", "192.0.2.99") == 429


@override_settings(TRUSTED_PROXIES=1)
def test_behind_a_trusted_proxy_the_lockout_follows_the_client(admin_user):
    proxy = "127.0.0.1"  # every request arrives from the proxy
    guess_five_times(proxy, "203.0.113.5")
    assert sign_in("password", proxy, "203.0.113.5") == 429
    # A forged entry to the left of the one the proxy appended changes nothing.
    assert sign_in("password", proxy, "198.51.100.7, 203.0.113.5") == 429
    assert sign_in("password", proxy, "198.51.100.7") == 302  # the editor, elsewhere


@override_settings(TRUSTED_PROXIES=2)
def test_with_two_proxies_the_client_is_second_from_the_right(admin_user):
    guess_five_times("10.0.0.2", "192.0.2.1, 203.0.113.5, 10.0.0.1")
    assert sign_in("password", "10.0.0.2", "203.0.113.5, 10.0.0.1") == 429
    assert sign_in("password", "10.0.0.2", "203.0.113.5, 10.0.0.9") == 429
    assert sign_in("password", "10.0.0.2", "198.51.100.7, 10.0.0.1") == 302


def test_trusted_proxies_come_from_the_environment():
    code = "import hkai_site.settings as s; print(s.TRUSTED_PROXIES)"
    assert run_python("-c", code).stdout.strip() == "0"
    assert run_python("-c", code, env={"DJANGO_TRUSTED_PROXIES": "2"}).stdout.strip() == "2"
    wrong = run_python("-c", code, env={"DJANGO_TRUSTED_PROXIES": "nginx"})
    assert wrong.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES must be a whole number" in wrong.stderr


def test_a_correct_password_signs_in_and_resets_failures(client, admin_user):
    client.post(LOGIN, {"username": "admin", "password": "wrong"})
    response = client.post(LOGIN, {"username": "admin", "password": "password"})
    assert response.status_code == 302
    assert client.session.get_expiry_age() <= 8 * 3600
    assert client.session.get_expire_at_browser_close()


def test_the_admin_path_is_set_by_the_environment():
    code = (
        "import django; django.setup(); from django.urls import reverse; "
        "from django.test import Client, override_settings; c = Client(); "
        # The 404 page links the stylesheet: no manifest exists before collectstatic.
        "override_settings(STORAGES={'staticfiles': {'BACKEND': "
        "'django.contrib.staticfiles.storage.StaticFilesStorage'}}).enable(); "
        "print(reverse('admin:index'), c.get('/admin/').status_code, "
        "c.get('/backstage/').status_code)"
    )
    env = {
        "DJANGO_ADMIN_PATH": "backstage",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "hkai_site.settings",
    }
    result = run_python("-c", code, env=env)
    assert result.stdout.splitlines()[-1].split() == ["/backstage/", "404", "302"], result.stderr


# Content safety: none of these may run script or load anything from another host.

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    "![x](https://evil.example/pixel.gif)",
    "![x](//evil.example/pixel.gif)",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<style>@import 'https://evil.example/x.css';</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<a href="#" onclick="alert(1)">x</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    "<link rel=stylesheet href=https://evil.example/x.css>",
    '[x](https://example.org "title" onmouseover=alert(1))',
    "`<script>alert(1)</script>`",
    "    <script>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    '"><script>alert(1)</script>',
]


def assert_inert(html):
    soup = BeautifulSoup(html, "html.parser")
    dangerous = ["script", "iframe", "object", "embed", "style", "svg", "math", "form",
                 "input", "button", "meta", "base", "link", "details", "body"]  # fmt: skip
    assert not soup.find_all(dangerous), html
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), html
            assert name.lower() not in ("style", "srcdoc", "formaction"), html
            if name in ("href", "src"):
                url = "".join(str(value).split()).lower()
                assert not url.startswith(("javascript:", "vbscript:", "data:")), html
                if name == "src":
                    assert url.startswith("/") and not url.startswith("//"), html
                if element.name == "a":
                    assert "noopener" in element.get("rel", []), html


@pytest.mark.parametrize("payload", XSS)
def test_markdown_payloads_render_inert(payload):
    assert_inert(render_markdown(payload))


def test_payloads_stay_inert_on_the_article_page(client, make_article):
    article = make_article(
        title="<script>alert('title')</script>",
        standfirst="<img src=x onerror=alert(1)>",
        sections=[(f"<b>{n}</b>", payload) for n, payload in enumerate(XSS)],
        tags=["<script>alert(1)</script>"],
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    page = BeautifulSoup(response.content.decode(), "html.parser")
    assert_inert(str(page.select_one(".article__body")))
    assert inline_scripts(response) == []
    assert page.h1.get_text() == "<script>alert('title')</script>"
    assert Article.objects.count() == 1


def test_the_site_stores_passwords_with_a_slow_hash():
    """The tests hash passwords fast (tests/conftest.py); the site itself must not."""
    code = (
        "import django; django.setup(); from django.contrib.auth.hashers import make_password;"
        " print(make_password('correct horse'))"
    )
    result = run_python("-c", code, env={"DJANGO_SETTINGS_MODULE": "hkai_site.settings"})
    algorithm, rounds, *_ = result.stdout.strip().split("$")
    assert (algorithm, int(rounds) >= 1_000_000) == ("pbkdf2_sha256", True), result.stderr
