"""Memory per idle WebSocket: one gevent process holding 1,000 and 10,000 /widget sockets.

    .venv/bin/python bench/socket_memory.py [--sizes 1000 10000] [--rounds 3] [--profile 2000]

Each round starts Guide as production runs it (gunicorn, one gevent worker,
SQLite: idle sockets do not touch the database), opens a few sockets and closes
them (lazy imports and first-use caches are not per socket), reads the
worker's RSS, then has bench/idle_client.py (a process of its own) open N
sockets that join /widget with a socket token and stay idle, and reads the RSS
again: (after - before) / N. A fresh server per size and round.

``--profile N`` then serves bench/traced_app.py (tracemalloc on) and diffs
snapshots taken before and after N sockets, grouped by where the memory was
allocated, to show where the rest goes.

Writes bench/results/socket_memory.json and its section of docs/BENCHMARKS.md
(``--label before|after`` keeps the other label's figures beside it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import servers  # noqa: E402
from bench.identities import machine  # noqa: E402
from bench.search import save_results, write_section  # noqa: E402
from tests import live  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "socket_memory.json"
DOC = ROOT / "docs" / "BENCHMARKS.md"
START, END = "<!-- bench:socket-memory:start -->", "<!-- bench:socket-memory:end -->"
WARMUP = 20
SETTLE = 2.0  # seconds after the last socket joined before RSS is read
COMMAND = ".venv/bin/python bench/socket_memory.py"
LABELS = ("before", "after", "before (no deflate offered)", "after (no deflate offered)")


@contextmanager
def idle_sockets(url: str, token: str, count: int,
                 deflate: int = 15) -> Iterator[dict[str, Any]]:
    """``count`` idle sockets held by bench/idle_client.py until the block ends."""
    client = subprocess.Popen([sys.executable, str(ROOT / "bench" / "idle_client.py"), url,
                               token, str(count), str(deflate)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert client.stdout is not None
        line = client.stdout.readline()
        if not line:
            raise RuntimeError(f"idle client exited with {client.wait()}")
        yield json.loads(line)
    finally:
        assert client.stdin is not None
        client.stdin.close()
        servers.wait_or_kill(client, 60)


@contextmanager
def server(tmp: Path, module: str = "wsgi:app",
           **extra: str) -> Iterator[tuple[live.LiveServer, str, int]]:
    """A fresh Guide (its own SQLite file), a socket token, the worker's pid; warmed up."""
    servers.raise_fd_limit()
    tmp.mkdir(parents=True, exist_ok=True)
    with servers.guide_server(f"sqlite:///{tmp / 'memory.db'}", tmp, module, **extra) as guide:
        token = str(live.bootstrap(guide, "memory-user")["socket"]["token"])
        with idle_sockets(guide.url, token, WARMUP) as warm:
            assert warm["held"] == WARMUP, warm
        time.sleep(SETTLE)  # the warm-up sockets' disconnects run after their close
        yield guide, token, servers.worker_pid(guide)


def measure(tmp: Path, count: int, deflate: int) -> dict[str, Any]:
    with server(tmp) as (guide, token, pid):
        before = servers.rss_kb(pid)
        with idle_sockets(guide.url, token, count, deflate) as held:
            time.sleep(SETTLE)
            after = servers.rss_kb(pid)
    per = (after - before) / held["held"] if held["held"] else 0.0
    return {"asked": count, "held": held["held"], "connect_seconds": held["seconds"],
            "rss_before_kb": before, "rss_after_kb": after, "kb_per_socket": round(per, 2)}


def _snapshot(url: str, name: str, folder: Path) -> tracemalloc.Snapshot:
    with urllib.request.urlopen(f"{url}/__bench/snapshot?name={name}", timeout=300) as resp:
        resp.read()
    return tracemalloc.Snapshot.load(str(folder / f"{name}.tracemalloc"))


def _where(trace: tracemalloc.StatisticDiff) -> str:
    """The innermost frame in a library or in Guide (not in the standard library)."""
    frames = list(reversed(trace.traceback))  # tracemalloc keeps the oldest call first
    for frame in frames:
        name = frame.filename
        if "/site-packages/" in name or "/guide/" in name:
            short = name.split("/site-packages/")[-1] if "/site-packages/" in name \
                else "guide/" + name.split("/guide/", 1)[1]
            return f"{short}:{frame.lineno}"
    return f"{frames[0].filename.rsplit('/', 1)[-1]}:{frames[0].lineno}"


def profile(tmp: Path, count: int, top: int = 15) -> dict[str, Any]:
    folder = tmp / "snapshots"
    folder.mkdir(parents=True, exist_ok=True)
    with server(tmp, "bench.traced_app:app", GUIDE_BENCH_SNAPSHOTS=str(folder)) as (
            guide, token, pid):
        before_rss = servers.rss_kb(pid)
        before = _snapshot(guide.url, "before", folder)
        with idle_sockets(guide.url, token, count) as held:
            time.sleep(SETTLE)
            after = _snapshot(guide.url, "after", folder)
            after_rss = servers.rss_kb(pid)
        types_before = dict(json.loads((folder / "before.types.json").read_text()))
        types_after = json.loads((folder / "after.types.json").read_text())
    n = held["held"]
    diff = after.compare_to(before, "traceback")
    places: dict[str, list[float]] = {}
    for stat in diff:
        if stat.size_diff <= 0:
            continue
        entry = places.setdefault(_where(stat), [0.0, 0.0])
        entry[0] += stat.size_diff
        entry[1] += stat.count_diff
    traced = sum(size for size, _ in places.values())
    rows = sorted(places.items(), key=lambda kv: -kv[1][0])[:top]
    objects = [(name, (c - types_before.get(name, 0)) / n) for name, c in types_after]
    return {
        "held": n, "rss_kb_per_socket": round((after_rss - before_rss) / n, 2),
        "traced_kb_per_socket": round(traced / n / 1024, 2),
        "top": [{"where": where, "bytes_per_socket": round(size / n),
                 "blocks_per_socket": round(blocks / n, 2)} for where, (size, blocks) in rows],
        "objects_per_socket": [{"type": name, "per_socket": round(per, 2)}
                               for name, per in sorted(objects, key=lambda x: -x[1])[:20]
                               if per >= 0.5],
    }


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    values = [r["kb_per_socket"] for r in runs]
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "held": [r["held"] for r in runs], "runs": runs}


def _cell(s: dict[str, Any] | None) -> str:
    if not s:
        return "-"
    return f"{s['median']:.1f} KB ({s['min']:.1f}-{s['max']:.1f}, {len(s['runs'])} runs)"


def doc(results: dict[str, Any], load: float) -> str:
    m = machine()
    labels = [label for label in LABELS if label in results["labels"]]
    sizes = sorted({int(s) for label in labels for s in results["labels"][label]["sizes"]})
    lines = [
        START, "## Memory per idle socket (`bench/socket_memory.py`)", "",
        f"Measured {m['date']} on {m['cpu']}, load average {load:.1f}, with `{COMMAND}`. "
        "One gunicorn gevent worker (as `guide serve` runs it), SQLite; a separate client "
        "process (bench/idle_client.py) opens the sockets, each joins /widget with a socket "
        "token and stays idle, offering permessage-deflate as browsers do (`--plain`: "
        "without, as the client of `make bench` (c) does). Per socket: the worker's RSS "
        "after minus before, divided by the sockets held, a fresh server per size and run, "
        f"median of the runs (min-max; {results['rounds']} asked, fewer where a run was cut "
        "short on the shared machine). Before is the code before issue "
        "#17's memory work, after is this branch. Raw results: `bench/results/"
        "socket_memory.json`.", "",
        "| sockets held | " + " | ".join(f"{label} (KB per socket)" for label in labels) + " |",
        "|---|" + "---|" * len(labels),
    ]
    for size in sizes:
        cells = [_cell(results["labels"][label]["sizes"].get(str(size))) for label in labels]
        lines.append(f"| {size:,} | " + " | ".join(cells) + " |")
    lines += [
        "", "What changed (guide/socket_transport.py, gevent mode only): python-engineio with "
        "simple-websocket kept four greenlets per idle socket (the request's, a reader, a "
        "writer, a ping timer), each with a saved C stack and a Python frame stack of its own, "
        "and accepted permessage-deflate, whose zlib compressor (about 100 KB) lives as long "
        "as the socket once the first frame is sent; every browser offers deflate. Now the "
        "request's greenlet reads the frames itself, a writer greenlet lives only while packets "
        "wait, one task per process sends every socket's pings, and deflate is declined (as "
        "Socket.IO's own server does by default). The wire protocol is unchanged.",
    ]
    prof = results.get("profile")
    if prof:
        lines += [
            "", f"Where the rest goes ({prof['held']:,} sockets, after; tracemalloc in the worker "
            f"via bench/traced_app.py): Python's allocator holds {prof['traced_kb_per_socket']:.1f}"
            " KB per socket (RSS under tracemalloc is higher, "
            f"{prof['rss_kb_per_socket']:.1f} KB, from its own bookkeeping). The rest of the RSS "
            "is untraced: the greenlet's Python frame stack (CPython maps a 16 KB chunk per "
            "greenlet and touches part of it), libev's watchers and allocator slack. By the "
            "innermost frame in a library or in Guide: the first row is the request greenlet's "
            "C stack, saved when it waits in `recv`; `engineio/base_server.py` is Engine.IO's "
            "queue per socket (a gevent JoinableQueue: four deques and an Event); "
            "`engineio/middleware.py:53` a class its middleware defines per request under "
            "gunicorn; `engineio/async_drivers/gevent.py` and `gevent/pool.py` greenlet objects; "
            "`gunicorn/http` the parsed request and its environ (Flask-SocketIO keeps a copy); "
            "`wsproto` the connection's state.", "",
            "| allocated at | bytes per socket | blocks per socket |", "|---|---|---|",
        ]
        for row in prof["top"]:
            lines.append(f"| `{row['where']}` | {row['bytes_per_socket']:,} | "
                         f"{row['blocks_per_socket']:.1f} |")
        lines += ["", "Live Python objects per socket, by type: " + ", ".join(
            f"{o['type']} {o['per_socket']:.1f}" for o in prof["objects_per_socket"][:12]) + "."]
    return "\n".join(lines + [END])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=int, default=2000, help="0: no tracemalloc run")
    parser.add_argument("--label", choices=("before", "after"), default="after")
    parser.add_argument("--plain", action="store_true",
                        help="clients offer no permessage-deflate (the bench before #17)")
    parser.add_argument("--no-doc", action="store_true")
    opts = parser.parse_args()
    previous = json.loads(RESULTS.read_text())["results"] if RESULTS.exists() else {}
    results = {"rounds": opts.rounds, "labels": previous.get("labels", {}),
               "profile": previous.get("profile")}
    label = opts.label + (" (no deflate offered)" if opts.plain else "")
    sizes = results["labels"].setdefault(label, {"sizes": {}})["sizes"]  # other sizes kept
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for size in opts.sizes:
            runs: list[dict[str, Any]] = []
            for round_ in range(opts.rounds):
                runs.append(measure(tmp / f"{size}-{round_}", size, 0 if opts.plain else 15))
                print(f"[socket-memory] {label} {size}: {runs[-1]}", flush=True)
                sizes[str(size)] = summary(runs)
                save_results(RESULTS, results)  # a long run interrupted keeps what it measured
        if opts.profile:
            results["profile"] = profile(tmp / "profile", opts.profile)
            print(f"[socket-memory] profile: {json.dumps(results['profile'], indent=1)}")
    load = save_results(RESULTS, results)
    text = doc(results, load)
    print(text)
    if not opts.no_doc:
        write_section(DOC, START, END, text)


if __name__ == "__main__":
    main()
