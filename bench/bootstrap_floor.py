"""Guide's bootstrap against its floor (bench/floor.py), on SQLite and PostgreSQL.

    .venv/bin/python bench/bootstrap_floor.py [--seconds 10] [--rounds 3]
    GUIDE_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bootstrap_floor.py     # SQLite, then PostgreSQL

Per database, four servers run side by side on the same database, each
gunicorn with one gevent worker: Guide, the floor (the same JWT, the same
rows, the same socket token, no ORM), the bare JSON endpoint of `make bench`,
and nothing else. 1,000 returning users (bootstrapped once beforehand) are
cycled by wrk at the same concurrency; each round measures Guide (plain, then
with ``Accept-Encoding: gzip``), the floor and the bare endpoint one after the
other, so drift on the shared machine touches all of them. Every figure is the
median of the rounds, with the spread (min-max); Guide's share of its floor is
taken within each round.

Writes bench/results/bootstrap_floor.json and the floor section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import http_load, servers  # noqa: E402
from bench.identities import bootstrap_bodies, demo_secret, machine  # noqa: E402
from bench.search import save_results, write_section  # noqa: E402
from tests import live  # noqa: E402

RESULTS = servers.ROOT / "bench" / "results" / "bootstrap_floor.json"
DOC = servers.ROOT / "docs" / "BENCHMARKS.md"
START, END = "<!-- bench:floor:start -->", "<!-- bench:floor:end -->"
GZIP = {"Accept-Encoding": "gzip"}
TARGETS = ("guide", "guide_gzip", "floor", "bare")


@contextmanager
def floor_server(guide: live.LiveServer, tmp: Path) -> Iterator[live.LiveServer]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDE_")}
    env.update(FLOOR_DATABASE_URL=guide.env["GUIDE_DATABASE_URL"],
               FLOOR_SECRET_KEY=guide.env["GUIDE_SECRET_KEY"])
    with servers.gunicorn("bench.floor:app", env, tmp / "floor.log") as server:
        yield server


def body_size(url: str, body: dict[str, Any], headers: dict[str, str]) -> int:
    """Bytes of one answer's body as sent (compressed when asked for)."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **headers})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return len(response.read())


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def measure(label: str, url: str, tmp: Path, opts: argparse.Namespace) -> dict[str, Any]:
    with ExitStack() as stack:
        guide = stack.enter_context(servers.guide_server(url, tmp))
        bodies = bootstrap_bodies(demo_secret(guide), opts.users)
        with ThreadPoolExecutor(8) as pool:  # every user exists: returning users from now on
            list(pool.map(lambda b: body_size(f"{guide.url}/api/v1/widget/bootstrap", b, {}),
                          bodies))
        floor = stack.enter_context(floor_server(guide, tmp))
        bare = stack.enter_context(servers.bare_server(tmp))
        urls = {"guide": f"{guide.url}/api/v1/widget/bootstrap",
                "guide_gzip": f"{guide.url}/api/v1/widget/bootstrap",
                "floor": f"{floor.url}/floor/bootstrap", "bare": f"{bare.url}/bare"}
        sizes = {name: body_size(urls[name], bodies[0], GZIP if name == "guide_gzip" else {})
                 for name in TARGETS}
        for name in TARGETS:  # warm caches and pools; not counted
            http_load.run_wrk(urls[name], bodies, seconds=2, connections=opts.connections,
                              headers=GZIP if name == "guide_gzip" else None)
        rounds = []
        for number in range(opts.rounds):
            one: dict[str, Any] = {"load_average": os.getloadavg()[0]}
            for name in TARGETS:
                print(f"[{label}] round {number + 1}: {name} ...", flush=True)
                one[name] = http_load.run_wrk(
                    urls[name], bodies, seconds=opts.seconds, connections=opts.connections,
                    headers=GZIP if name == "guide_gzip" else None)
            rounds.append(one)
    summary = {name: {"rps": spread([r[name]["rps"] for r in rounds]),
                      "p50_ms": spread([r[name]["p50_ms"] for r in rounds]),
                      "p99_ms": spread([r[name]["p99_ms"] for r in rounds]),
                      "errors": sum(r[name]["errors"] for r in rounds)} for name in TARGETS}
    return {
        "rounds": rounds, "summary": summary, "body_bytes": sizes,
        "share_of_floor": spread([r["guide"]["rps"] / r["floor"]["rps"] for r in rounds]),
        "gzip_share_of_floor": spread([r["guide_gzip"]["rps"] / r["floor"]["rps"]
                                       for r in rounds]),
        "floor_share_of_bare": spread([r["floor"]["rps"] / r["bare"]["rps"] for r in rounds]),
        "load_average": spread([r["load_average"] for r in rounds]),
    }


def _cell(s: dict[str, float], fmt: str, pct: bool = False) -> str:
    if pct:
        return f"{s['median']:.0%} ({s['min']:.0%}-{s['max']:.0%})"
    return f"{s['median']:{fmt}} ({s['min']:{fmt}}-{s['max']:{fmt}})"


def doc_lines(results: dict[str, Any], opts: argparse.Namespace) -> list[str]:
    dbs = [db for db in ("sqlite", "postgresql") if db in results]
    m = results["machine"]
    lines = [
        START, "## Bootstrap against its floor (`bench/bootstrap_floor.py`)", "",
        f"Measured {m['date']} on {m['cpu']}, {m['cores']} cores, with "
        f"`.venv/bin/python bench/bootstrap_floor.py --seconds {opts.seconds} --rounds "
        f"{opts.rounds}` (PostgreSQL from `GUIDE_TEST_DATABASE_URL`). wrk with "
        f"{opts.connections} connections, {opts.users} returning users cycled; each server "
        "one gevent worker under gunicorn; wrk, the servers and the database share the "
        "machine. Median of the rounds (min-max in brackets). Raw results: "
        "`bench/results/bootstrap_floor.json`.", "",
        "| measure | " + " | ".join(dbs) + " |", "|---|" + "---|" * len(dbs),
    ]

    def row(label: str, get: Any, fmt: str = ".0f", pct: bool = False) -> None:
        lines.append(f"| {label} | " + " | ".join(_cell(get(results[db]), fmt, pct)
                                                  for db in dbs) + " |")

    names = {"guide": "Guide bootstrap", "guide_gzip": "Guide bootstrap, gzip accepted",
             "floor": "floor (same JWT, rows, token; no ORM)", "bare": "bare JSON endpoint"}
    for name, text in names.items():
        row(f"{text}, req/s", lambda r, n=name: r["summary"][n]["rps"])
    row("**Guide's share of its floor** (target 60%)", lambda r: r["share_of_floor"], pct=True)
    row("Guide with gzip, share of the floor", lambda r: r["gzip_share_of_floor"], pct=True)
    row("floor's share of the bare endpoint", lambda r: r["floor_share_of_bare"], pct=True)
    for name in ("guide", "floor"):
        row(f"{names[name]}, p50 ms", lambda r, n=name: r["summary"][n]["p50_ms"], ".1f")
        row(f"{names[name]}, p99 ms", lambda r, n=name: r["summary"][n]["p99_ms"], ".1f")
    row("load average (1 min) at each round's start", lambda r: r["load_average"], ".1f")
    lines.append("| body bytes: Guide / Guide gzip / floor / bare | " + " | ".join(
        "{guide} / {guide_gzip} / {floor} / {bare}".format(**results[db]["body_bytes"])
        for db in dbs) + " |")
    return lines + [END]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--postgres", default=os.environ.get("GUIDE_BENCH_DATABASE_URL")
                        or os.environ.get("GUIDE_TEST_DATABASE_URL"))
    parser.add_argument("--no-doc", action="store_true", help="print, write no files")
    opts = parser.parse_args()
    servers.raise_fd_limit()
    results: dict[str, Any] = {"machine": machine(),
                               **servers.on_each_database("floor", measure, opts)}
    results["machine"]["finished"] = time.strftime("%H:%M UTC", time.gmtime())
    lines = doc_lines(results, opts)
    print("\n".join(lines))
    if not opts.no_doc:
        save_results(RESULTS, results)
        write_section(DOC, START, END, "\n".join(lines))


if __name__ == "__main__":
    main()
