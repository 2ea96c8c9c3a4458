"""SQLite writers under gevent take turns without stalling the process (issue 12, point 1).

The default tier runs gunicorn's gevent worker on SQLite, whose calls do not
yield: tests/security/gevent_writers.py runs the contention in a process of its
own, monkey-patched as the worker is.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests import live


def test_sqlite_writers_under_gevent_wait_without_stalling_the_loop(database_url):
    """A writer waiting for SQLite's write lock yields; before, it slept in SQLite's busy
    handler and stalled the whole process (the holder, a greenlet too, could not finish)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the write turn is SQLite's (PostgreSQL has row locks)")
    writers, rows = 20, 5
    run = subprocess.run([str(live.BIN / "python"), "-m", "tests.security.gevent_writers",
                          database_url, str(writers), str(rows)],
                         cwd=live.ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert result["rows"] == 1 + writers * rows  # nothing lost
    assert result["max_stall"] < 0.3, result  # the loop kept turning while they waited
