"""A short run of bench/loadtest.py, so `make loadtest` keeps working."""

import os

import pytest
from django.conf import settings

from tests.helpers import run_python

sqlite_leg = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="the load test builds its own SQLite site; it runs in the SQLite leg",
)


@sqlite_leg
def test_short_load_test_with_a_killed_worker_passes():
    args = "bench/loadtest.py --seconds 6 --readers 4 --articles 20".split()
    result = run_python(*args, drop=(), timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "5xx responses             0" in out
    assert '"database is locked"      0' in out
    assert "confirmed edits missing   0" in out
    assert "replacement worker        up" in out
    assert out.rstrip().endswith("PASS")


@pytest.mark.skipif(
    "HKAI_TEST_PG_RESTART" not in os.environ,
    reason="restarts the throwaway PostgreSQL server of devtools/with_postgres.py",
)
def test_a_database_restart_under_load_fails_cleanly_and_loses_no_edit():
    args = "bench/loadtest.py --seconds 12 --readers 4 --articles 20 --restart-postgres".split()
    result = run_python(*args, drop=(), timeout=300)
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    assert "database restarted" in out
    assert "failures after restart    0" in out
    assert "tracebacks in server log  0" in out
    assert "confirmed edits missing   0" in out
    assert out.rstrip().endswith("PASS")
