"""The installed `guide` command as a real process (`make setup` installs it in .venv/bin).

Run from a directory outside the checkout: the command needs no wsgi.py, no --app
and no FLASK_APP, only the GUIDE_* variables.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import BIN, ROOT, database, free_port, server_env, wait_ready

GUIDE = BIN / "guide"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    if not GUIDE.exists():
        pytest.fail(f"{GUIDE} is missing: install the project (make setup, or pip install -e .)")
    with database(tmp_path, "process") as url:
        environment = server_env(url, tmp_path / "instance", GUIDE_WORKER="off")
        environment.pop("FLASK_APP")
        yield environment


def guide(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(GUIDE), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def test_help_version_and_exit_codes(env: dict[str, str], tmp_path: Path) -> None:
    help_text = guide(env, tmp_path, "--help")
    assert help_text.returncode == 0
    assert "serve   Run the web server" in help_text.stdout
    ok = guide(env, tmp_path, "content", "validate", str(ROOT / "content"))
    assert (ok.returncode, ok.stdout.endswith(", 0 errors\n")) == (0, True)
    missing = guide(env, tmp_path, "content", "validate", str(tmp_path / "nothing"))
    assert missing.returncode == 1
    usage = guide(env, tmp_path, "content", "validate", "--nope")
    assert usage.returncode == 2
    assert "No such option '--nope'" in usage.stderr


def test_db_upgrade_then_current_says_head(env: dict[str, str], tmp_path: Path) -> None:
    assert guide(env, tmp_path, "db", "upgrade").returncode == 0
    current = guide(env, tmp_path, "db", "current")
    assert current.returncode == 0
    assert current.stdout.rstrip().endswith("(head)")
    worker = guide(env, tmp_path, "worker", "--once")
    assert (worker.returncode, worker.stdout) == (0, "0 message(s) attempted\n")


def test_completion_script(env: dict[str, str], tmp_path: Path) -> None:
    script = subprocess.run([str(GUIDE)], cwd=tmp_path, capture_output=True, text=True,
                            env={**env, "_GUIDE_COMPLETE": "bash_source"}, timeout=60)
    assert script.returncode == 0
    assert "_guide_completion()" in script.stdout
    assert "complete -o nosort -F _guide_completion guide" in script.stdout


def test_flask_app_wsgi_guide_still_works(env: dict[str, str]) -> None:
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "guide", "content", "validate"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(", 0 errors\n")


@pytest.mark.parametrize("mode", [[], ["--dev"]], ids=["gunicorn", "dev"])
def test_serve_answers_then_stops(env: dict[str, str], tmp_path: Path, mode: list[str]) -> None:
    assert guide(env, tmp_path, "db", "upgrade").returncode == 0
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        # Its own session: --dev's reloader runs the server in a child process.
        process = subprocess.Popen([str(GUIDE), "serve", "--port", str(port), *mode],
                                   cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        wait_ready(f"http://127.0.0.1:{port}", process, log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        returncode = process.wait(timeout=30)
    output = log.read_text()
    assert f"Admin (write, preview, publish guides):       http://127.0.0.1:{port}/admin/" in output
    assert f"http://127.0.0.1:{port}/healthz" in output
    if mode:
        assert "Debug mode: on" in output
    else:
        assert "Using worker: gevent" in output
        assert returncode == 0


@pytest.mark.parametrize(("url", "why"), [
    ("garbage://", "Can't load plugin: sqlalchemy.dialects:garbage"),
    ("not a url", "Could not parse SQLAlchemy URL"),
])
def test_a_malformed_database_url_is_one_line_and_exit_1(env: dict[str, str], tmp_path: Path,
                                                         url: str, why: str) -> None:
    done = guide({**env, "GUIDE_DATABASE_URL": url}, tmp_path, "db", "current")
    assert done.returncode == 1
    assert done.stderr.startswith("Error: GUIDE_DATABASE_URL is not a database URL: ")
    assert why in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
