"""`make bench`: Guide against the bare framework, on this machine, in one run.

Writes bench/results/server.json and the server section of docs/BENCHMARKS.md.
The load generators run on the same machine as the server (2 cores here), so
absolute figures are pessimistic; the ratios against the baseline, measured
the same way in the same run, are the numbers to read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import connections, http_load, report, servers, socket_load  # noqa: E402
from bench.identities import bootstrap_bodies, demo_secret, machine  # noqa: E402
from tests import live  # noqa: E402

RESULTS = servers.ROOT / "bench" / "results"


async def socket_tokens(url: str, bodies: list[dict[str, Any]]) -> list[str]:
    gate = asyncio.Semaphore(20)
    async with aiohttp.ClientSession() as session:
        async def one(body: dict[str, Any]) -> str:
            async with gate, session.post(f"{url}/api/v1/widget/bootstrap", json=body) as resp:
                resp.raise_for_status()
                return (await resp.json())["socket"]["token"]
        return list(await asyncio.gather(*(one(b) for b in bodies)))


async def socket_suite(url: str, tokens: list[str | None], sizes: list[int], rate: float,
                       seconds: float) -> dict[str, Any]:
    payload = socket_load.envelope("getting-started", "welcome")
    out: dict[str, Any] = {}
    for size in sizes:
        clients = await socket_load.connect_all(url, tokens[:size])
        try:
            out[f"open_loop_{size}"] = await socket_load.open_loop(
                clients, payload, rate=rate, seconds=seconds)
            if size == sizes[0]:
                out["closed_loop"] = await socket_load.closed_loop(
                    clients, payload, seconds=seconds / 2)
        finally:
            await socket_load.disconnect_all(clients)
    return out


def measure_database(label: str, url: str, tmp: Path, opts: argparse.Namespace,
                     bodies_count: int) -> dict[str, Any]:
    with servers.guide_server(url, tmp) as guide:
        secret = demo_secret(guide)
        bodies = bootstrap_bodies(secret, bodies_count)
        print(f"[{label}] (a) bootstrap under wrk ...", flush=True)
        http = http_load.run_wrk(f"{guide.url}/api/v1/widget/bootstrap", bodies,
                                 seconds=opts.seconds, connections=opts.http_connections)
        tokens = asyncio.run(socket_tokens(guide.url, bodies[: max(opts.clients)]))
        print(f"[{label}] (b) step:complete acks ...", flush=True)
        sockets = asyncio.run(socket_suite(guide.url, list(tokens), opts.clients, opts.rate,
                                           opts.seconds))
    return {"bootstrap": http, "sockets": sockets}


def measure_bare(tmp: Path, opts: argparse.Namespace) -> dict[str, Any]:
    with servers.bare_server(tmp) as bare:
        bodies = bootstrap_bodies("unused-secret-for-the-bare-endpoint", 200)
        print("[bare] (a) JSON endpoint under wrk ...", flush=True)
        http = http_load.run_wrk(f"{bare.url}/bare", bodies, seconds=opts.seconds,
                                 connections=opts.http_connections)
        print("[bare] (b) ack echo ...", flush=True)
        sockets = asyncio.run(socket_suite(bare.url, [None] * max(opts.clients), opts.clients,
                                           opts.rate, opts.seconds))
    return {"bootstrap": http, "sockets": sockets}


def measure_capacity(tmp: Path, opts: argparse.Namespace) -> dict[str, Any]:
    # Idle connections do not touch the database: SQLite keeps this part simple.
    url = f"sqlite:///{tmp / 'capacity.db'}"
    with servers.guide_server(url, tmp / "cap") as guide:
        token = live.bootstrap(guide, "capacity-user")["socket"]["token"]
        pid = servers.worker_pid(guide)
        print(f"[capacity] (c) opening {opts.connections} idle connections ...", flush=True)
        return asyncio.run(connections.capacity(guide.url, str(token), opts.connections,
                                                lambda: servers.rss_kb(pid)))


def measure_crash(tmp: Path, opts: argparse.Namespace) -> dict[str, Any]:
    """The suite's crash test at bench size, on SQLite and (when given) PostgreSQL."""
    from tests.realtime.test_crash import crash_run

    out = {}
    for label in ["sqlite"] + (["postgres"] if opts.postgres else []):
        print(f"[crash] {label}: {opts.crash_n} envelopes, {opts.crash_kills} SIGKILLs ...",
              flush=True)
        folder = tmp / f"crash-{label}"
        folder.mkdir()
        if label == "sqlite":
            os.environ.pop("GUIDE_TEST_DATABASE_URL", None)
        else:
            os.environ["GUIDE_TEST_DATABASE_URL"] = opts.postgres
        import importlib

        import tests.pg
        importlib.reload(tests.pg)  # live.database() reads the URL from tests.pg
        out[label] = crash_run(folder, opts.crash_n, opts.crash_kills)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--postgres", default=os.environ.get("GUIDE_BENCH_DATABASE_URL")
                        or os.environ.get("GUIDE_TEST_DATABASE_URL"))
    opts = parser.parse_args()
    opts.seconds = 5 if opts.quick else 20
    opts.clients = [20, 100] if opts.quick else [100, 1000]
    opts.rate = 50 if opts.quick else 200
    opts.http_connections = 50
    opts.connections = 500 if opts.quick else 5000
    opts.crash_n = 1000 if opts.quick else 10000
    opts.crash_kills = 3 if opts.quick else 8
    servers.raise_fd_limit()
    if opts.postgres:
        os.environ["GUIDE_TEST_DATABASE_URL"] = opts.postgres  # live.database() reads it
    results: dict[str, Any] = {"machine": machine(), "quick": opts.quick, "settings": {
        "seconds": opts.seconds, "clients": opts.clients, "rate": opts.rate,
        "http_connections": opts.http_connections}}
    with tempfile.TemporaryDirectory() as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        results["bare"] = measure_bare(tmp, opts)
        results["sqlite"] = measure_database(
            "sqlite", f"sqlite:///{tmp / 'bench.db'}", tmp / "sqlite", opts, 1000)
        if opts.postgres:
            from tests.pg import temporary_database

            url = stack.enter_context(temporary_database("bench"))
            results["postgres"] = measure_database("postgres", url, tmp / "pg", opts, 1000)
        results["capacity"] = measure_capacity(tmp, opts)
        results["crash"] = measure_crash(tmp, opts)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "server.json").write_text(json.dumps(results, indent=2))
    report.write(results)
    print(report.table(results))


if __name__ == "__main__":
    main()
