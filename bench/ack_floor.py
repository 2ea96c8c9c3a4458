"""Guide's ``step:complete`` acks against the ack floor (bench/ack_sql.py), SQLite and PostgreSQL.

    .venv/bin/python bench/ack_floor.py [--seconds 10] [--rounds 3] [--clients 100]
    GUIDE_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/ack_floor.py     # SQLite, then PostgreSQL

Per database: Guide under gunicorn (one gevent worker, as `make bench`), 100
users bootstrapped, each with its own socket, which completes the same step
in a closed loop (bench/socket_load.py: each client sends its next envelope
when the previous ack arrives). The floor runs the same statements on the same
database with no Python around them: on PostgreSQL ``pgbench -n -M prepared
-c <floor clients> -j 2 -T <seconds>`` with the script of bench/ack_sql.py, each
pgbench client one of the same users, as many clients as Guide has connections
(its pool: 30 per process; this server also allows only 100); on SQLite one ``sqlite3`` loop (SQLite
has one writer at a time). Each round runs the floor, then Guide, so drift on
the shared machine touches both; Guide's share is taken within each round.
Every figure is the median of the rounds with the spread (min-max).

Writes bench/results/ack_floor.json and the ack floor section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench import ack_sql, servers, socket_load  # noqa: E402
from bench.bootstrap_floor import _cell, spread  # noqa: E402
from bench.identities import bootstrap_bodies, demo_secret, machine  # noqa: E402
from bench.run import socket_tokens  # noqa: E402
from bench.search import save_results, write_section  # noqa: E402

RESULTS = servers.ROOT / "bench" / "results" / "ack_floor.json"
DOC = servers.ROOT / "docs" / "BENCHMARKS.md"
START, END = "<!-- bench:ack-floor:start -->", "<!-- bench:ack-floor:end -->"
STEP = ("getting-started", "welcome")
# A gevent process holds at most this many PostgreSQL connections (pool 20 + overflow 10,
# guide.config): however many sockets send at once, that many transactions are in flight.
POOL = 30
# Guide runs twice on the same database, as before group commit and with it; with
# --before, an earlier checkout runs twice more beside it, in the same rounds.
MODES = ("off", "on")
BEFORE = ("before_off", "before_on")
# Four servers on one PostgreSQL (max_connections 100 here) with pgbench beside them:
# with --before each gets a pool of 10 (+ 10 overflow), and pgbench as many clients.
BEFORE_POOL = 10


def modes(opts: argparse.Namespace) -> tuple[str, ...]:
    return MODES + (BEFORE if opts.before else ())


def max_connections(url: str) -> int:
    from guide.config import normalize_database_url

    engine = sa.create_engine(normalize_database_url(url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SHOW max_connections")).scalar_one())
    finally:
        engine.dispose()


def fit_connections(opts: argparse.Namespace, limit: int) -> None:
    """Each server process's pool (``opts.pool``, + 10 overflow) and pgbench's clients, so
    that every server's connections and pgbench's fit in PostgreSQL's ``limit`` (5 kept
    free): pgbench runs as many clients as one server has connections, the same number of
    transactions in flight."""
    processes = len(modes(opts)) * opts.workers
    pool = BEFORE_POOL if opts.before else POOL - 10
    while True:
        floor = opts.floor_clients or min(opts.clients, (pool + 10) * opts.workers)
        if processes * (pool + 10) + floor <= limit - 5:
            break
        if pool == 1:
            raise SystemExit(f"{processes} server processes and pgbench need more than "
                             f"PostgreSQL's max_connections ({limit}): fewer --workers, "
                             "or --floor-clients")
        pool -= 1
    opts.pool, opts.floor_clients = pool, floor


def floor_variables(url: str) -> dict[str, Any]:
    """The ids and values Guide binds for these users' envelope, read from its database."""
    from guide.config import normalize_database_url

    engine = sa.create_engine(normalize_database_url(url))
    try:
        with engine.connect() as conn:
            ws = conn.execute(sa.text("SELECT id FROM workspace WHERE key = 'demo'")).scalar_one()
            low, high, count = conn.execute(sa.text(
                "SELECT min(id), max(id), count(*) FROM end_user "
                "WHERE external_id LIKE 'bench-%'")).one()
            # A real ack of this step, as Guide stored it (the same size of JSON).
            event = conn.execute(sa.text(
                "SELECT name, props, fingerprint, result FROM event WHERE type = 'step:complete' "
                "ORDER BY id DESC LIMIT 1")).one()
    finally:
        engine.dispose()
    assert high - low + 1 == count, "the benchmark's users are not contiguous"
    return {"ws": ws, "first_uid": low, "users": count, "guide_key": STEP[0],
            "type": "step:complete", "name": event.name, "props": _text(event.props),
            "fingerprint": event.fingerprint, "result": _text(event.result),
            "created_at": time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime())}


def _text(value: Any) -> str:
    """A JSON column as text (psycopg decodes it, SQLite hands the text)."""
    return value if isinstance(value, str) else json.dumps(value)


def pgbench(url: str, variables: dict[str, Any], script: Path, opts: argparse.Namespace) -> float:
    defines = [f"-D{name}={value}" for name, value in variables.items()]
    run = subprocess.run(
        ["pgbench", "-n", "-M", "prepared", "-f", str(script), "-c", str(opts.floor_clients),
         "-j", "2", "-T", str(opts.seconds), *defines, url],
        capture_output=True, text=True, timeout=opts.seconds + 120)
    tps = re.search(r"tps = ([\d.]+)", run.stdout)
    assert run.returncode == 0 and tps, run.stdout + run.stderr
    return float(tps.group(1))


def floor_run(url: str, variables: dict[str, Any], script: Path,
              opts: argparse.Namespace) -> float:
    if url.startswith("sqlite"):
        return ack_sql.sqlite_loop(url.removeprefix("sqlite:///"), variables, opts.clients,
                                   opts.seconds)
    return pgbench(url, variables, script, opts)


def worker_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) of the gunicorn workers so far."""
    return sum(servers.cpu_seconds(pid) for pid in pids)


async def rounds(label: str, url: str, guides: dict[str, str], all_tokens: list[str],
                 script: Path, opts: argparse.Namespace,
                 pids: dict[str, list[int]]) -> dict[str, Any]:
    payload = socket_load.envelope(*STEP)
    clients = {mode: await socket_load.connect_all(guide, list(all_tokens[:opts.clients]))
               for mode, guide in guides.items()}
    out: dict[str, Any] = {"rounds": []}
    try:
        for mode in modes(opts):  # warm-up, not counted: every user's progress row exists after
            await socket_load.closed_loop(clients[mode], payload, seconds=3)
        variables = floor_variables(url)
        for number in range(opts.rounds):
            one: dict[str, Any] = {"load_average": os.getloadavg()[0]}
            print(f"[{label}] round {number + 1}: floor ...", flush=True)
            one["floor_tps"] = await asyncio.to_thread(floor_run, url, variables, script, opts)
            for mode in modes(opts):
                print(f"[{label}] round {number + 1}: Guide, group commit {mode} ...",
                      flush=True)
                cpu = worker_cpu(pids[mode])
                acks = await socket_load.closed_loop(clients[mode], payload,
                                                     seconds=opts.seconds)
                one[f"guide_{mode}"] = acks["acks_per_s"]
                # The worker's CPU per ack: what throughput is made of, whatever else the
                # shared machine runs (on a busy machine, acks/s mostly measures the load).
                one[f"cpu_ms_{mode}"] = (worker_cpu(pids[mode]) - cpu) * 1000 / max(
                    1, acks["acks"])
                one[f"share_{mode}"] = acks["acks_per_s"] / one["floor_tps"]
            out["rounds"].append(one)
    finally:
        for group in clients.values():
            await socket_load.disconnect_all(group)
    for mode in MODES if opts.latency_clients else ():  # make bench's p99 target
        print(f"[{label}] open loop, group commit {mode}: {opts.latency_clients} clients at "
              f"{opts.rate:.0f}/s ...", flush=True)
        group = await socket_load.connect_all(guides[mode], list(all_tokens))
        try:
            runs = [await socket_load.open_loop(group, payload, rate=opts.rate,
                                                seconds=opts.seconds)
                    for _ in range(opts.rounds)]
        finally:
            await socket_load.disconnect_all(group)
        out[f"open_loop_{mode}"] = {
            f"{p}_ms": spread([run[f"{p}_ms"] for run in runs]) for p in ("p50", "p99", "p999")}
        out[f"open_loop_{mode}"]["runs"] = runs
    return out


def measure(label: str, url: str, tmp: Path, opts: argparse.Namespace) -> dict[str, Any]:
    script = tmp / "ack_floor.sql"
    script.write_text(ack_sql.pgbench_script())
    with ExitStack() as stack:
        guides = {}
        for mode in modes(opts):  # servers on the same database, one per setting
            (tmp / mode).mkdir()
            guides[mode] = stack.enter_context(servers.guide_server(
                url, tmp / mode, workers=opts.workers, GUIDE_GROUP_COMMIT=mode.split("_")[-1],
                root=opts.before if mode in BEFORE else None,
                **({} if url.startswith("sqlite") else {"GUIDE_DB_POOL_SIZE": str(opts.pool)})))
        bodies = bootstrap_bodies(demo_secret(guides["on"]),
                                  max(opts.clients, opts.latency_clients))
        tokens = asyncio.run(socket_tokens(guides["on"].url, bodies))
        pids = {m: servers.worker_pids(g) for m, g in guides.items()}
        out = asyncio.run(rounds(label, url, {m: g.url for m, g in guides.items()}, tokens,
                                 script, opts, pids))
    measured = out["rounds"]
    return {
        **out,
        "floor_tps": spread([r["floor_tps"] for r in measured]),
        **{f"guide_{m}": spread([r[f"guide_{m}"] for r in measured]) for m in modes(opts)},
        **{f"share_{m}": spread([r[f"share_{m}"] for r in measured]) for m in modes(opts)},
        **{f"cpu_ms_{m}": spread([r[f"cpu_ms_{m}"] for r in measured]) for m in modes(opts)},
        "load_average": spread([r["load_average"] for r in measured]),
    }


def doc_lines(results: dict[str, Any], opts: argparse.Namespace) -> list[str]:
    dbs = [db for db in ("sqlite", "postgresql") if db in results]
    m = results["machine"]
    lines = [
        START, "## Acks against their floor (`bench/ack_floor.py`)", "",
        f"Measured {m['date']} on {m['cpu']}, {m['cores']} cores, with "
        f"`.venv/bin/python bench/ack_floor.py --seconds {opts.seconds} --rounds {opts.rounds} "
        f"--clients {opts.clients} --workers {opts.workers} --latency-clients "
        f"{opts.latency_clients}` (PostgreSQL from "
        "`GUIDE_TEST_DATABASE_URL`). Guide, twice on the same database (`GUIDE_GROUP_COMMIT=off`, "
        "then `on`): "
        f"{opts.clients} socket clients, one user each, completing the same step in a closed "
        f"loop; gunicorn with {opts.workers} gevent worker(s). Floor: the same statements "
        "(bench/ack_sql.py, kept equal to what SQLAlchemy emits by "
        "tests/unit/test_bench_ack_floor.py) on the same database, by `pgbench -M prepared "
        f"-c {opts.floor_clients} -j 2` on PostgreSQL (as many clients as Guide's pool has "
        "connections, so the same number of transactions in flight) and by one `sqlite3` "
        "loop on SQLite. Median of the rounds (min-max); the share is taken within each "
        "round. Raw results: `bench/results/ack_floor.json`." + (
            f" Before: each round also ran {opts.before_label} (`--before`, an earlier "
            "checkout) on the same database, after this tree's servers." if opts.before
            else "") + (
            f" So that every server process and pgbench fit in PostgreSQL's "
            f"`max_connections`, each process's pool was {opts.pool} + 10 overflow connections "
            f"(`GUIDE_DB_POOL_SIZE`; 20 by default)." if opts.pool != POOL - 10 else ""), "",
        "| measure | " + " | ".join(dbs) + " |", "|---|" + "---|" * len(dbs),
    ]

    def row(text: str, name: str, fmt: str = ".0f", pct: bool = False,
            key: str | None = None) -> None:
        cells = [results[db][name][f"{key}_ms"] if key else results[db][name] for db in dbs]
        lines.append(f"| {text} | " + " | ".join(_cell(c, fmt, pct) for c in cells) + " |")

    row("floor, transactions/s", "floor_tps")
    row("Guide, acks/s, group commit off (closed loop)", "guide_off")
    row("Guide, acks/s, group commit on (closed loop)", "guide_on")
    if opts.before:
        row(f"before ({opts.before_label}), acks/s, group commit off", "guide_before_off")
        row(f"before ({opts.before_label}), acks/s, group commit on", "guide_before_on")
        row("before: share of the floor, group commit off", "share_before_off", pct=True)
        row("before: share of the floor, group commit on", "share_before_on", pct=True)
    for mode in modes(opts):
        name = (f"before ({opts.before_label})" if mode in BEFORE else "Guide")
        row(f"{name}: worker CPU ms per ack, group commit {mode.split('_')[-1]}",
            f"cpu_ms_{mode}", ".2f")
    row("Guide's share of the floor, group commit off", "share_off", pct=True)
    row("**Guide's share of the floor, group commit on** (target 60%)", "share_on", pct=True)
    row("load average (1 min) at each round's start", "load_average", ".1f")
    for mode in MODES:
        if all(results[db].get(f"open_loop_{mode}") for db in dbs):
            for p in ("p50", "p99", "p999"):
                target = " (target <= 25 on PostgreSQL)" if p == "p99" else ""
                row(f"ack {p} ms, group commit {mode}, {opts.latency_clients} clients at "
                    f"{opts.rate:.0f}/s open loop{target}", f"open_loop_{mode}", ".1f", key=p)
    return lines + [END]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn gevent workers")
    parser.add_argument("--floor-clients", type=int, default=0,
                        help="pgbench clients (default: Guide's connections, 30 per worker)")
    parser.add_argument("--postgres", default=os.environ.get("GUIDE_BENCH_DATABASE_URL")
                        or os.environ.get("GUIDE_TEST_DATABASE_URL"))
    parser.add_argument("--latency-clients", type=int, default=0,
                        help="then an open loop: this many clients at --rate envelopes/s")
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--before", type=Path, help="another checkout of Guide (an earlier "
                        "commit) measured in the same rounds, e.g. from `git archive`")
    parser.add_argument("--before-label", default="before", help="its name in the table")
    parser.add_argument("--no-doc", action="store_true", help="print, write no files")
    opts = parser.parse_args()
    servers.raise_fd_limit()
    fit_connections(opts, max_connections(opts.postgres) if opts.postgres else 10**6)
    results: dict[str, Any] = {"machine": machine(),
                               **servers.on_each_database("ackfloor", measure, opts,
                                                          sqlite=not opts.no_sqlite)}
    lines = doc_lines(results, opts)
    print("\n".join(lines))
    if not opts.no_doc:
        save_results(RESULTS, results)
        write_section(DOC, START, END, "\n".join(lines))


if __name__ == "__main__":
    main()
