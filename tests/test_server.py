"""The operator's path: gunicorn with production settings, from the environment only.

One real server per module on 127.0.0.1: a fresh SQLite file, migrated and seeded as
`make run` does, static files collected with hashed names and compressed copies.
"""

import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from unittest.mock import ANY

import pytest
from django.conf import settings

from devtools.services import http_get as get
from devtools.services import prepare_site, site_env, start_gunicorn, stop

pytestmark = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="the embedded-default server test runs in the SQLite leg",
)

BASE_DIR = Path(settings.BASE_DIR)
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("server")
    env = site_env(root)
    prepare_site(env)
    process, port = start_gunicorn(env, root / "gunicorn.log", workers=2)
    yield {"port": port, "env": env, "root": root}
    stop(process)


def test_front_page_serves_both_seed_articles(server):
    status, headers, body = get(server["port"], "/")
    assert status == 200
    text = body.decode()
    assert "China&#x27;s AI Revolution" in text
    assert "The Rise of Artificial Intelligence in Hong Kong" in text


def test_debug_is_off_so_errors_show_the_plain_404_page(server):
    status, _, body = get(server["port"], "/articles/nope/?page=1")
    assert status == 404
    assert b"Page not found" in body
    assert b"Traceback" not in body and b"DEBUG" not in body


def test_unknown_host_is_refused(server):
    status, _, _ = get(server["port"], "/", {"Host": "evil.example"})
    assert status == 400


def stylesheet_url(port):
    _, _, body = get(port, "/")
    return re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body.decode())[1]


def test_static_files_have_hashed_names_and_far_future_caching(server):
    url = stylesheet_url(server["port"])
    status, headers, body = get(server["port"], url)
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "max-age=315360000" in headers["Cache-Control"]
    assert "immutable" in headers["Cache-Control"]
    assert b"prefers-color-scheme: dark" in body
    # Served before Django's handler (hkai_site/front_door.py), with the headers that
    # Django's SecurityMiddleware gives every response.
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert len(headers["X-Request-ID"]) == 32
    status, headers, _ = get(server["port"], url, {"Host": "evil.example"})
    assert status == 200 and headers["X-Content-Type-Options"] == "nosniff"
    assert get(server["port"], "/static/css/missing.css")[0] == 404


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_static_files_are_served_compressed(server, encoding):
    url = stylesheet_url(server["port"])
    _, plain_headers, plain = get(server["port"], url)
    status, headers, body = get(server["port"], url, {"Accept-Encoding": encoding})
    assert status == 200
    assert headers["Content-Encoding"] == encoding
    assert len(body) < len(plain) / 2


def test_editor_saves_never_hit_database_is_locked_while_readers_load_pages(server):
    """Four reader threads load pages through gunicorn while two editor processes save
    articles in loops against the same SQLite file; every save must succeed."""
    port, stop = server["port"], threading.Event()
    statuses, errors = [], []

    def read():
        paths = ["/", "/tags/", "/articles/rise-of-ai-in-hong-kong/", "/tags/hong-kong/"]
        n = 0
        while not stop.is_set():
            try:
                statuses.append(get(port, paths[n % len(paths)])[0])
            except OSError as error:
                errors.append(repr(error))
            n += 1

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    env = server["env"]
    writers = [
        subprocess.Popen(
            [PYTHON, str(BASE_DIR / "devtools" / "write_loop.py"), "30", name],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("alice", "bob")
    ]
    outputs = [writer.communicate(timeout=300) for writer in writers]
    stop.set()
    for reader in readers:
        reader.join()
    for writer, (stdout, stderr) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, stderr
        assert "database is locked" not in stderr
        assert stdout.strip() == "saved 30"
    assert errors == []
    assert len(statuses) > 20
    assert set(statuses) == {200}


def test_the_example_environment_file_starts_the_server_as_it_is(server, tmp_path):
    """`.env.example` exported unchanged (empty values, as it ships) starts the site:
    the local secret key, the default worker count, no error, one clock in the log."""
    log = tmp_path / "gunicorn.log"
    env = {**server["env"], "TZ": "UTC"}  # a server's clock, unlike the site's
    process, port = start_gunicorn(
        env, log, workers=None, env_file=BASE_DIR / ".env.example",
        keep=("DATABASE_URL", "DJANGO_STATIC_ROOT"),
    )  # fmt: skip
    try:
        status, _, body = get(port, "/articles/rise-of-ai-in-hong-kong/")
    finally:
        stop(process)
    text = log.read_text()
    assert status == 200 and b"The Rise of Artificial Intelligence in Hong Kong" in body
    assert "Traceback" not in text and "[ERROR]" not in text, text
    assert text.count("Booting worker") == max(2, os.cpu_count()), text
    offsets = set(re.findall(r" ([+-]\d{4})\]", text))
    assert len(offsets) == 1, text  # the master's lines and the workers' share a time zone


# Several instances on one machine, and the probes of a production configuration.


def two_servers(server, name, **extra):
    """Two more gunicorn instances of the site, run by one user (HOME) on one machine."""
    home = server["root"] / f"home-{name}"
    home.mkdir()
    env = {k: v for k, v in server["env"].items() if k != "XDG_RUNTIME_DIR"}
    env.update(HOME=str(home), **extra)
    first = start_gunicorn(env, server["root"] / f"{name}-1.log", workers=1)
    second = start_gunicorn(env, server["root"] / f"{name}-2.log", workers=1)
    return home, first, second


def test_instances_on_one_machine_share_no_control_socket(server):
    home, (first, port_1), (second, port_2) = two_servers(server, "plain")
    try:
        assert not (home / ".gunicorn").exists()  # gunicorn's shared default is off
        stop(first)
        assert get(port_2, "/livez")[0] == 200
    finally:
        stop(first)
        stop(second)


def test_a_control_socket_is_per_instance_when_asked_for(server, tmp_path):
    sockets = tmp_path / "sockets"
    sockets.mkdir()
    socket_1, socket_2 = sockets / "a.ctl", sockets / "b.ctl"
    first = start_gunicorn(
        {**server["env"], "GUNICORN_CONTROL_SOCKET": str(socket_1)},
        server["root"] / "ctl-1.log", workers=1,
    )  # fmt: skip
    second = start_gunicorn(
        {**server["env"], "GUNICORN_CONTROL_SOCKET": str(socket_2)},
        server["root"] / "ctl-2.log", workers=1,
    )  # fmt: skip
    try:
        assert socket_1.is_socket() and socket_2.is_socket()
        stop(first[0])
        assert not socket_1.exists()
        assert socket_2.is_socket() and get(second[1], "/livez")[0] == 200
    finally:
        stop(first[0])
        stop(second[0])


def test_probes_answer_by_ip_over_http_with_production_settings(server):
    env = {**server["env"], "DJANGO_ALLOWED_HOSTS": "hkai.example", "DJANGO_HTTPS": "1"}
    process, port = start_gunicorn(env, server["root"] / "https.log", workers=1)
    try:
        for probe in ("/livez", "/healthz"):
            assert get(port, probe) == (200, ANY, b"ok\n")  # Host: 127.0.0.1:port
            assert get(port, probe, {"Host": "10.1.2.3"})[0] == 200
            assert get(port, probe, {"Host": "hkai.example"})[0] == 200  # no redirect
        assert get(port, "/")[0] == 400
        assert get(port, "/", {"Host": "hkai.example"})[0] == 301
    finally:
        stop(process)


def test_head_requests_are_answered_without_a_body_or_a_warning(server):
    import http.client

    url = stylesheet_url(server["port"])
    for path in ["/", "/", "/tags/", url, "/articles/nope/"]:  # a miss, a hit, a file, a 404
        connection = http.client.HTTPConnection("127.0.0.1", server["port"], timeout=30)
        connection.request("HEAD", path)
        response = connection.getresponse()
        assert response.read() == b"" and response.status in (200, 404), path
        if response.status == 200:
            assert int(response.getheader("Content-Length")) > 0, path
        connection.close()
    log = (server["root"] / "gunicorn.log").read_text()
    assert "no-body response" not in log
