"""In-process profile of the two hot paths: bootstrap and ``step:complete``.

    .venv/bin/python bench/hotpath_profile.py [--postgres URL] [--calls 300] [--top 25]

Runs the Flask test client (bootstrap) and Flask-SocketIO's test client
(``step:complete`` acks) against a fresh database holding the demo content,
and prints, per call: wall time, CPU time, SQL statements and time spent in
the database driver (execute + commit). Load-independent enough to compare
two commits on a shared machine (use the CPU figures and statement counts);
``--top`` adds a cProfile listing by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench import floor  # noqa: E402
from tests.conftest import CONTENT_DIR, _config, _migrate  # noqa: E402


class DriverClock:
    """Counts statements (commits included) and the time spent inside the driver."""

    def __init__(self) -> None:
        self.statements = 0
        self.seconds = 0.0
        self._started = 0.0
        self.by_statement: dict[str, list[float]] = {}
        self._current = ""

    def install(self, engine: sa.Engine) -> None:
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)
        sa.event.listen(engine, "commit", self._commit_before)
        inner = engine.dialect.do_commit

        def timed_commit(dbapi_connection: Any) -> None:
            started = time.perf_counter()
            inner(dbapi_connection)
            self._add("COMMIT", time.perf_counter() - started)

        engine.dialect.do_commit = timed_commit  # type: ignore[method-assign]

    def _before(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.statements += 1
        self._current = " ".join(statement.split())[:100]
        self._started = time.perf_counter()

    def _after(self, *_: Any) -> None:
        self._add(self._current, time.perf_counter() - self._started)

    def _add(self, statement: str, seconds: float) -> None:
        self.seconds += seconds
        entry = self.by_statement.setdefault(statement, [0, 0.0])
        entry[0] += 1
        entry[1] += seconds

    def _commit_before(self, *_: Any) -> None:
        self.statements += 1


@contextmanager
def database(postgres: str | None) -> Iterator[str]:
    if postgres:
        import os

        os.environ["GUIDE_TEST_DATABASE_URL"] = postgres
        import importlib

        import tests.pg

        importlib.reload(tests.pg)
        with tests.pg.temporary_database("profile") as url:
            _migrate(url)
            yield url
    else:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'profile.db'}"
            _migrate(url)
            yield url


def measure(label: str, calls: int, one: Callable[[int], Any], clock: DriverClock,
            top: int, show_sql: bool, sort: str = "cumulative", by_package: bool = False) -> None:
    statements, driver = clock.statements, clock.seconds
    clock.by_statement = {}
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(calls):
        one(i)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label}: {wall / calls * 1000:.2f} ms/call wall, {cpu / calls * 1000:.2f} ms CPU, "
          f"{(clock.statements - statements) / calls:.1f} statements, "
          f"{(clock.seconds - driver) / calls * 1000:.2f} ms in the driver")
    if show_sql:
        print("  per statement: calls per call, mean ms in the driver")
        for statement, (count, seconds) in clock.by_statement.items():
            print(f"    {count / calls:4.1f} {seconds / count * 1000:6.3f}  {statement}")
    if top or by_package:  # a second run under the profiler, which slows everything down
        # By package: CPU time (time spent waiting for the database is not the worker's).
        profiler = cProfile.Profile(time.process_time) if by_package else cProfile.Profile()
        profiler.runcall(lambda: [one(calls + i) for i in range(calls)])
        stats = pstats.Stats(profiler)
        if by_package:
            print_packages(stats, calls, cpu / calls)
        if top:
            stats.sort_stats(sort).print_stats(top)
        if os.environ.get("GUIDE_PROFILE_DUMP"):  # for pstats by hand
            name = label.split()[-1].strip(")")
            stats.dump_stats(f"{os.environ['GUIDE_PROFILE_DUMP']}.{name}")


# Where a function's own time goes, by the file it is defined in (first match wins).
PACKAGES = (
    ("Socket.IO / engine.io (packets, JSON, dispatch)", ("/socketio/", "/engineio/",
                                                          "/flask_socketio/")),
    ("Flask / Werkzeug (app and request contexts)", ("/flask/", "/werkzeug/")),
    ("marshmallow (envelope validation)", ("/marshmallow/",)),
    ("SQLAlchemy ORM (session, unit of work, loading)", ("/sqlalchemy/orm/",)),
    ("SQLAlchemy Core (statements, engine, pool, results)", ("/sqlalchemy/",)),
    ("database driver (psycopg, sqlite3)", ("/psycopg", "sqlite3", "method 'execute'",
                                            "method 'commit'", "method 'fetch")),
    ("rate limit (limits)", ("/limits/",)),
    ("metrics (prometheus_client)", ("/prometheus_client/",)),
    ("group commit", ("/guide/realtime/group_commit",)),
    ("Guide: socket handler, use case, services", ("/guide/",)),
    ("JSON (json module)", ("/json/", "_json")),
)


def package_of(key: tuple[str, int, str]) -> str:
    where = f"{key[0]} {key[2]}"
    for name, needles in PACKAGES:
        if any(needle in where for needle in needles):
            return name
    return "other (standard library, builtins, greenlets)"


def print_packages(stats: pstats.Stats, calls: int, cpu_per_call: float) -> None:
    """Self CPU time per package, scaled to the unprofiled CPU per call (the profiler's
    own overhead is spread in proportion)."""
    by: dict[str, float] = {}
    count: dict[str, int] = {}
    for key, (_cc, ncalls, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        by[package_of(key)] = by.get(package_of(key), 0.0) + tottime
        count[package_of(key)] = count.get(package_of(key), 0) + ncalls
    total = sum(by.values())
    print(f"  self time by package (of {cpu_per_call * 1000:.2f} ms CPU per call; "
          f"{sum(count.values()) / calls:.0f} Python function calls per call):")
    for name, seconds in sorted(by.items(), key=lambda kv: -kv[1]):
        share = seconds / total
        print(f"    {share:6.1%} {share * cpu_per_call * 1000:6.3f} ms "
              f"{count[name] / calls:6.0f} calls  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--sql", action="store_true", help="time each statement")
    parser.add_argument("--sort", default="cumulative", help="cProfile order (tottime, ...)")
    parser.add_argument("--by-package", action="store_true",
                        help="the acks' CPU by package (a profiled rerun)")
    parser.add_argument("--acks-only", action="store_true", help="skip the bootstraps")
    opts = parser.parse_args()
    from guide import create_app
    from guide.content.push import push_content
    from guide.extensions import db, socketio
    from tests import factories
    from tests.socket_client import WidgetTestClient

    with ExitStack() as stack:
        url = stack.enter_context(database(opts.postgres))
        # The test client never closes its responses, so the per-client cap would fill up.
        app = create_app(_config(url, GUIDE_RATE_LIMITS=False, GUIDE_MAX_CONNECTIONS_PER_CLIENT=0))
        setup = app.app_context()
        setup.push()
        push_content(CONTENT_DIR)
        ws = factories.workspace("demo")
        secret = ws.ensure_signing_secret()
        db.session.commit()
        clock = DriverClock()
        clock.install(db.engine)
        client = app.test_client()
        # Enough users for every measured call (and the profiled rerun) to be a
        # user's first completion in the last measure.
        users = [f"bench-{i}" for i in range(2 * opts.calls + 1)]
        bodies = [{"app": "demo", "user": {"id": u}, "locale": "en", "url": "/demo/dashboard",
                   "token": factories.sign(ws, u, secret=secret)} for u in users]
        tokens = [client.post("/api/v1/widget/bootstrap", json=b).get_json()["socket"]["token"]
                  for b in bodies]
        # As in production, each request and socket event runs in its own app context
        # (so its own session): none may be left pushed around the measured calls.
        setup.pop()

        def bootstrap(i: int) -> None:
            resp = client.post("/api/v1/widget/bootstrap", json=bodies[i % 50])
            assert resp.status_code == 200, resp.get_json()

        def completer(sockets: list[Any]) -> Callable[[int], None]:
            def complete(i: int) -> None:
                ack = sockets[i % len(sockets)].emit(
                    "step:complete", {"id": str(uuid.uuid4()), "guide": "getting-started",
                                      "step": "welcome"}, namespace="/widget", callback=True)
                assert ack["ok"], ack
            return complete

        def connect(token: str) -> Any:
            return WidgetTestClient(app, socketio, namespace="/widget", auth={"token": token})

        args = (clock, opts.top, opts.sql, opts.sort)
        if not opts.acks_only:
            measure("bootstrap (returning user)", opts.calls, bootstrap, *args)
            measure("bootstrap, gzip accepted", opts.calls, lambda i: client.post(
                "/api/v1/widget/bootstrap", json=bodies[i % 50],
                headers={"Accept-Encoding": "gzip"}), *args)
            # Its statements go through the DB-API, which the clock does not see (0 statements).
            floor_app = floor.create_app(url, app.config["SECRET_KEY"])
            stack.callback(floor_app.extensions["floor"].engine.dispose)
            floor_client = floor_app.test_client()
            measure("bootstrap floor (bench/floor.py; its SQL not counted)", opts.calls,
                    lambda i: floor_client.post("/floor/bootstrap", json=bodies[i % 50]), *args)
        sockets = [connect(t) for t in tokens[:10]]
        measure("step:complete ack (step done before)", opts.calls, completer(sockets), *args,
                by_package=opts.by_package)
        sockets = [connect(t) for t in tokens]
        measure("step:complete ack (user's first)", opts.calls, completer(sockets), *args,
                by_package=opts.by_package)

if __name__ == "__main__":
    main()
