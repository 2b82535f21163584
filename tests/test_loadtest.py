"""A short run of bench/loadtest.py, so `make loadtest` keeps working."""

import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="the load test builds its own SQLite site; it runs in the SQLite leg",
)


def test_short_load_test_with_a_killed_worker_passes():
    result = subprocess.run(
        [sys.executable, "bench/loadtest.py", "--seconds", "6", "--readers", "4",
         "--articles", "20"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "5xx responses             0" in out
    assert '"database is locked"      0' in out
    assert "confirmed edits missing   0" in out
    assert "replacement worker        up" in out
    assert out.rstrip().endswith("PASS")
