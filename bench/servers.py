"""Start Guide or the bare baseline under gunicorn (gevent), as production would."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import live  # noqa: E402  (reuses the test harness: ports, readiness, prepare)


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


@contextmanager
def gunicorn(module: str, env: dict[str, str], log: Path,
             workers: int = 1, root: Path = ROOT) -> Iterator[live.LiveServer]:
    port = live.free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**env, "GUIDE_ASYNC_MODE": "gevent"}
    cmd = [str(live.BIN / "gunicorn"), "--no-control-socket", "--workers", str(workers),
           "--worker-class", "gevent", "--worker-connections", "20000",
           "--bind", f"127.0.0.1:{port}", module]
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        live.wait_ready(url, process, log)
        yield live.LiveServer(url=url, env=env, process=process, log=log)
    finally:
        process.terminate()
        wait_or_kill(process, 15)


def wait_or_kill(process: subprocess.Popen[Any], seconds: float) -> None:
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def guide_server(database_url: str, tmp: Path, module: str = "wsgi:app", workers: int = 1,
                 root: Path | None = None, **settings: str) -> Iterator[live.LiveServer]:
    """Guide from this tree, or from ``root``: another checkout of Guide (an earlier
    commit, for a before/after in one run) on a database this tree has prepared."""
    # The rate limits would cap the closed-loop test, and every simulated
    # client connects from 127.0.0.1, one address over its connection cap: lift both.
    # Several workers share room emits through Redis when GUIDE_TEST_REDIS_URL is set
    # (the clients use WebSocket only, so no sticky sessions are needed).
    queue = os.environ.get("GUIDE_TEST_REDIS_URL") if workers > 1 else None
    env = live.server_env(database_url, tmp / "instance", GUIDE_WORKER="off",
                          GUIDE_RATE_LIMITS="off", GUIDE_MAX_CONNECTIONS_PER_CLIENT="0",
                          **({"GUIDE_MESSAGE_QUEUE": queue} if queue else {}), **settings)
    if root is None:
        live.prepare(env)
    else:
        env["PYTHONPATH"] = str(root)
    with gunicorn(module, env, tmp / "guide.log", workers, root or ROOT) as server:
        yield server


@contextmanager
def bare_server(tmp: Path) -> Iterator[live.LiveServer]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDE_")}
    with gunicorn("bench.bare:app", env, tmp / "bare.log") as server:
        yield server


def worker_pid(server: live.LiveServer) -> int:
    """gunicorn's single worker (the process that holds the connections)."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    pids = children.read_text().split()
    return int(pids[0])


def worker_pids(server: live.LiveServer) -> list[int]:
    """Every gunicorn worker of ``server``."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    return [int(pid) for pid in children.read_text().split()]


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def on_each_database(label: str, measure: Any, opts: Any, sqlite: bool = True) -> dict[str, Any]:
    """``measure(name, url, tmp, opts)`` on SQLite (unless ``sqlite`` is false) and, when
    ``opts.postgres`` is set, on a throwaway PostgreSQL database: {name: result}."""
    from tests.pg import temporary_database

    if opts.postgres:
        os.environ["GUIDE_TEST_DATABASE_URL"] = opts.postgres  # live.database() reads it
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        if sqlite:
            (tmp / "sqlite").mkdir()
            results["sqlite"] = measure("sqlite", f"sqlite:///{tmp / f'{label}.db'}",
                                        tmp / "sqlite", opts)
        if opts.postgres:
            (tmp / "pg").mkdir()
            url = stack.enter_context(temporary_database(label))
            results["postgresql"] = measure("postgresql", url, tmp / "pg", opts)
    return results
