"""A real Guide server in a subprocess: `guide serve` (gunicorn), as `make demo` runs it.

Prepared with the real CLI (`guide db upgrade`, `guide content push`), so the
browser tests also prove the commands a new user runs (once per session and settings;
later servers start from a copy of that database); `demo_identity` reads the
secret with `flask --app wsgi guide`, which keeps working.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path


def server_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDE_")}
    env.update({
        "GUIDE_DATABASE_URL": database_url,
        "GUIDE_SECRET_KEY": "live-test-secret-0123456789abcdef0123456789",
        "FLASK_APP": "wsgi",
        **extra,
    })
    instance.mkdir(parents=True, exist_ok=True)
    return env


# Prepared databases, by the settings they were prepared with: a SQLite file, or the name
# of a PostgreSQL database kept as a template. Dropped when the test session ends.
_PREPARED: dict[tuple[tuple[str, str], ...], str] = {}
_SCRATCH = Path(tempfile.mkdtemp(prefix="guide-prepared-"))
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)


def prepare(env: dict[str, str]) -> None:
    """Migrate and push content/ exactly as `make demo` does, with `guide db upgrade` and
    `guide content push`: the first time in a session for these settings; after that the
    database is a copy of the one they prepared (the two commands took 4 s per server)."""
    url = env["GUIDE_DATABASE_URL"]
    key = (("database", make_url(url).get_backend_name()),) + tuple(sorted(
        (name, value) for name, value in env.items()
        if name.startswith("GUIDE_") and name != "GUIDE_DATABASE_URL"))
    if key in _PREPARED:
        _copy_database(_PREPARED[key], url)
        return
    for args in (["db", "upgrade"], ["content", "push"]):
        subprocess.run([str(BIN / "guide"), *args], cwd=ROOT, env=env,
                       check=True, capture_output=True, timeout=120)
    _PREPARED[key] = _keep(url, len(_PREPARED))


def _keep(url: str, number: int) -> str:
    """A copy of the database at ``url`` that later ``prepare`` calls start from."""
    if url.startswith("sqlite:///"):
        kept = str(_SCRATCH / f"prepared-{number}.db")
        _copy_database(url, f"sqlite:///{kept}")
        return kept
    from tests import pg

    name = f"guide_test_prepared_{number}_{uuid.uuid4().hex[:8]}"
    pg.copy_database(make_url(url).database, name)
    atexit.register(pg.drop_database, name)
    return name


def _copy_database(source: str, target_url: str) -> None:
    if target_url.startswith("sqlite:///"):
        # The backup API copies a consistent database, whatever its journal holds.
        with closing(sqlite3.connect(source.removeprefix("sqlite:///"))) as src, \
                closing(sqlite3.connect(target_url.removeprefix("sqlite:///"))) as dst:
            src.backup(dst)
        return
    from tests import pg

    pg.copy_database(source, make_url(target_url).database)


def demo_command(port: int) -> list[str]:
    """The server command line of `make demo` (its Makefile target), on ``port``."""
    return [str(BIN / "guide"), "serve", "--host", "127.0.0.1", "--port", str(port)]


@contextmanager
def run_server(env: dict[str, str], log: Path) -> Iterator[LiveServer]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        process = subprocess.Popen(demo_command(port), cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        wait_ready(url, process, log)
        yield LiveServer(url=url, env=env, process=process, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, deadline: float = 90) -> None:
    """Until the server answers /healthz (a deadline, not a wait: a start on a busy machine,
    CI running its two rounds at once, has taken over 30 s)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)  # polling a starting server; nothing to wait on but the port
    raise RuntimeError(f"server not ready after {deadline}s:\n{log.read_text()}")


@contextmanager
def database(tmp: Path, label: str) -> Iterator[str]:
    """A throwaway PostgreSQL database when the suite runs on it, else a SQLite file."""
    from tests.pg import PG_URL, temporary_database

    if PG_URL:
        with temporary_database(label) as url:
            yield url
    else:
        yield f"sqlite:///{tmp / f'{label}.db'}"


@contextmanager
def demo_server(tmp: Path, label: str = "live", **settings: str) -> Iterator[LiveServer]:
    """One migrated server with content/ pushed, on its own database (``settings``: more
    GUIDE_* variables for it)."""
    with database(tmp, label) as url:
        env = server_env(url, tmp / "instance", **settings)
        prepare(env)
        with run_server(env, tmp / f"{label}.log") as server:
            yield server


def demo_identity(server: LiveServer, user: str) -> str:
    """Sign an identity token for the demo workspace, as the product's backend would."""
    import jwt

    secret = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "guide", "workspace", "secret", "demo"],
        cwd=ROOT, env=server.env, check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip().splitlines()[-1]
    return jwt.encode({"sub": user, "exp": int(time.time()) + 300}, secret, algorithm="HS256")


def bootstrap(server: LiveServer, user: str,
              traits: dict[str, object] | None = None) -> dict[str, object]:
    import json

    body = json.dumps({"app": "demo", "user": {"id": user, "traits": traits or {}},
                       "token": demo_identity(server, user)}).encode()
    request = urllib.request.Request(f"{server.url}/api/v1/widget/bootstrap", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def admin_sign_in(page: Any, email: str, password: str) -> None:
    """Signs in on the admin's login page as a person would (the page lands where it leads)."""
    page.goto("/admin/login")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', password)
    page.click('button[type="submit"]')
