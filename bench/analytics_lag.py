"""(d) of bench/analytics.py: the rollup lag under the reliability benchmark's ack load.

A live Guide (gunicorn, one gevent worker) on a fresh database, with the worker in
its own process (``flask guide worker``, rolling up every round); 100 sockets send
``step:complete`` at 200/s, open loop, as bench/run.py does. Meanwhile a poller
reads the rollup watermark every 0.25 s: each time it moves, the lag is now minus
the commit time (``created_at``) of the last event it covers. Events are folded
once they are ``rollup.SETTLE`` old (60 s, so that no transaction holding a lower
id can still commit), so the lag is at least that; the figure to read is how far
above it stays under load.

The load is capped at half the server's measured capacity: a short closed loop of
the same sockets first (``capacity_acks_per_s``), then the open loop at
``min(RATE, HEADROOM * capacity)`` (``rate``). On a machine shared with other work
one gevent process may ack fewer than 200/s (about 60-90/s on PostgreSQL at a load
average of 6-8 on 2 cores); an open loop above capacity only grows a queue until
the acks time out (60 s) and the pool's checkouts too (30 s), which measures the
overload, not the rollup's effect on the acks.
"""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import run, servers, socket_load
from bench.identities import bootstrap_bodies, demo_secret
from bench.search import database
from tests import live

CLIENTS, RATE = 100, 200.0
# The share of the measured capacity the open loop may take (see the docstring).
HEADROOM, PROBE_S = 0.5, 10.0


def _poll(url: str, stop: threading.Event, lags: list[float]) -> None:
    from guide.config import normalize_database_url

    engine = sa.create_engine(normalize_database_url(url))
    last = None
    query = sa.text("SELECT w.last_event_id, e.created_at FROM analytics_watermark w "
                    "JOIN event e ON e.id = w.last_event_id")
    with engine.connect() as conn:
        while not stop.wait(0.25):
            row = conn.execute(query).first()
            conn.rollback()
            if row is None or row[0] == last:
                continue
            last, created = row[0], row[1]
            if isinstance(created, str):  # SQLite
                from datetime import UTC, datetime
                created = datetime.fromisoformat(created).replace(tzinfo=UTC)
            lags.append(time.time() - created.timestamp())
    engine.dispose()


def measure_lag(backend: str, postgres: str | None, seconds: float) -> dict[str, Any]:
    from guide.analytics.rollup import SETTLE

    with tempfile.TemporaryDirectory() as tmp_name, database(backend, postgres) as url:
        tmp = Path(tmp_name)
        env = live.server_env(url, tmp / "instance", GUIDE_WORKER="off",
                              GUIDE_RATE_LIMITS="off", GUIDE_MAX_CONNECTIONS_PER_CLIENT="0")
        live.prepare(env)
        lags: list[float] = []
        stop = threading.Event()
        # The worker as its own process (`flask guide worker`, docs/DEPLOY.md): rolling up
        # inside the gevent process would share its one CPU with the sockets.
        with open(tmp / "worker.log", "wb") as log:
            worker = subprocess.Popen([str(live.BIN / "flask"), "--app", "wsgi", "guide",
                                       "worker"], cwd=servers.ROOT, env=env, stdout=log,
                                      stderr=subprocess.STDOUT)
        with servers.gunicorn("wsgi:app", env, tmp / "guide.log") as server:
            secret = demo_secret(server)
            bodies = bootstrap_bodies(secret, CLIENTS)
            tokens = asyncio.run(run.socket_tokens(server.url, bodies))
            poller = threading.Thread(target=_poll, args=(url, stop, lags), daemon=True)
            poller.start()

            async def load() -> dict[str, Any]:
                clients = await socket_load.connect_all(server.url, list(tokens))
                payload = socket_load.envelope("getting-started", "welcome")
                try:
                    capacity = (await socket_load.closed_loop(
                        clients, payload, seconds=PROBE_S))["acks_per_s"]
                    rate = min(RATE, round(HEADROOM * capacity))
                    return {**await socket_load.open_loop(clients, payload, rate=rate,
                                                          seconds=seconds),
                            "capacity_acks_per_s": round(capacity)}
                finally:
                    await socket_load.disconnect_all(clients)

            try:
                acks = asyncio.run(load())
            finally:
                stop.set()
                poller.join()
                worker.terminate()
                worker.wait(timeout=30)
    settle = SETTLE.total_seconds()
    ordered = sorted(lags)
    if not ordered:
        return {"acks": acks, "samples": 0}
    return {"acks": {k: acks[k] for k in ("sent", "failures", "p50_ms", "p99_ms", "rate",
                                          "capacity_acks_per_s")},
            "samples": len(ordered), "settle_s": settle,
            "median_s": round(ordered[len(ordered) // 2], 1),
            "p95_s": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
            "max_s": round(ordered[-1], 1),
            "above_settle_median_s": round(ordered[len(ordered) // 2] - settle, 1)}
