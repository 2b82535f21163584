"""A shared Redis cache that goes away: the site serves and saves without it, and uses
it again when it is back. A real redis-server, stopped and started by the tests."""

import datetime
import logging
import signal
import time

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from devtools.services import start_redis, stop
from tests.helpers import change_url, form_data, unchanged_state

SLUG = "rise-of-ai-in-hong-kong"
PAGE = f"/articles/{SLUG}/"


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, len(captured)


@pytest.fixture
def redis(tmp_path):
    """A redis-server the test can stop and start again on the same port."""
    server = {"process": None}

    def start(port=None):
        server["process"], server["url"] = start_redis(tmp_path, port)
        return server["url"]

    def halt():
        stop(server["process"])

    server["url"] = start()
    server["port"] = int(server["url"].rsplit(":", 1)[1].split("/")[0])
    server["start"], server["stop"] = start, halt
    cache = {"BACKEND": "hkai_site.cache_backends.RedisCache", "LOCATION": server["url"]}
    cards = {**cache, "KEY_PREFIX": "fragment"}  # as settings.py makes them beside it
    with override_settings(CACHES={"default": cache, "fragments": cards}):
        yield server
    halt()


def test_pages_and_edits_work_while_redis_is_down_and_caching_resumes(
    redis, client, admin_client, seeded, caplog
):
    client.get(PAGE)
    assert queries(client, PAGE)[1] == unchanged_state()  # from Redis

    redis["stop"]()
    with caplog.at_level(logging.INFO, logger="hkai_site.cache_backends"):
        for url in (PAGE, "/", "/tags/", PAGE, "/search/?q=香港"):
            assert client.get(url).status_code == 200
        data = form_data(admin_client.get(change_url(seeded[SLUG])), publish=True)
        data["title"] = "Edited while Redis was down"
        assert admin_client.post(change_url(seeded[SLUG]), data).status_code == 302
        response, count = queries(client, PAGE)
        assert "Edited while Redis was down" in response.content.decode()
        assert count > 1  # built afresh: nothing is cached
        assert queries(client, PAGE)[1] > 1
    assert Article.objects.get(slug=SLUG).title == "Edited while Redis was down"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in caplog.records]
    assert "Redis" in warnings[0].getMessage()

    redis["start"](redis["port"])
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="hkai_site.cache_backends"):
        later = timezone.now() + datetime.timedelta(seconds=10)
        with time_machine.travel(later, tick=False):  # past the pause between retries
            client.get(PAGE)
            response, count = queries(client, PAGE)
    assert count == unchanged_state()  # from Redis again
    assert "Edited while Redis was down" in response.content.decode()
    assert any("again" in r.getMessage() for r in caplog.records)


def test_a_hung_redis_costs_one_timeout_not_one_per_request(redis, client, seeded):
    client.get("/")
    redis["process"].send_signal(signal.SIGSTOP)  # connections open, nothing answers
    try:
        started = time.perf_counter()
        for _ in range(20):
            assert client.get("/").status_code == 200
        elapsed = time.perf_counter() - started
    finally:
        redis["process"].send_signal(signal.SIGCONT)
    # One 0.5 s read timeout, then misses until the next try. A timeout per request
    # would take 20 x 0.5 = 10 s; the bound leaves room for a busy machine.
    assert elapsed < 5
