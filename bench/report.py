"""Render bench results as the server section of docs/BENCHMARKS.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parent.parent / "docs" / "BENCHMARKS.md"
START, END = "<!-- bench:server:start -->", "<!-- bench:server:end -->"


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.0%}" if base else "n/a"


def table(results: dict[str, Any]) -> str:
    bare = results["bare"]
    lines = [
        "| measure | bare baseline | " + " | ".join(
            f"Guide on {db}" for db in ("sqlite", "postgres") if db in results) + " |",
        "|---|---|" + "---|" * sum(db in results for db in ("sqlite", "postgres")),
    ]
    dbs = [db for db in ("sqlite", "postgres") if db in results]

    def row(label: str, get: Any, fmt: str, ratio: bool = False) -> None:
        base = get(bare)
        cells = []
        for db in dbs:
            value = get(results[db])
            cells.append(f"{value:{fmt}}" + (f" ({_ratio(value, base)} of bare)" if ratio else ""))
        lines.append(f"| {label} | {base:{fmt}} | " + " | ".join(cells) + " |")

    row("(a) bootstrap req/s (wrk, 50 conns)", lambda r: r["bootstrap"]["rps"], ".0f", ratio=True)
    row("(a) bootstrap p50 ms", lambda r: r["bootstrap"]["p50_ms"], ".1f")
    row("(a) bootstrap p99 ms", lambda r: r["bootstrap"]["p99_ms"], ".1f")
    sizes = results["settings"]["clients"]
    rate = results["settings"]["rate"]
    for size in sizes:
        key = f"open_loop_{size}"
        for pct in ("p50", "p99", "p999"):
            row(f"(b) step:complete ack {pct} ms, {size} clients, {rate:.0f}/s open loop",
                lambda r, k=key, p=pct: r["sockets"][k][f"{p}_ms"], ".1f")
    row(f"(b) acks/s, closed loop, {sizes[0]} clients",
        lambda r: r["sockets"]["closed_loop"]["acks_per_s"], ".0f", ratio=True)
    cap = results["capacity"]
    lines += [
        "",
        "| (c) idle WebSocket connections, one gevent process | value |",
        "|---|---|",
        f"| connections asked / held | {cap['target']} / {cap['held']} |",
        f"| worker RSS before / after | {cap['rss_before_kb'] / 1024:.0f} MB / "
        f"{cap['rss_after_kb'] / 1024:.0f} MB |",
        f"| memory per connection | {cap['kb_per_connection']:.1f} KB "
        f"({cap['mb_per_1000']:.1f} MB per 1,000) |",
    ]
    crash = results.get("crash", {})
    if crash:
        lines += ["", "| crash test (server SIGKILLed mid-stream, restarted) | sent | kills | "
                  "resends | recorded | distinct |", "|---|---|---|---|---|---|"]
        for db, r in crash.items():
            lines.append(f"| {db} | {r['sent']} | {r['kills']} | {r['resends']} | "
                         f"{r['recorded']} | {r['distinct']} |")
    return "\n".join(lines)


def write(results: dict[str, Any]) -> None:
    m = results["machine"]
    section = "\n".join([
        START,
        "## Server (`make bench`)",
        "",
        f"Measured {m['date']} on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, "
        f"Python {m['python']}. {m['note'].capitalize()}, so absolute figures are "
        "pessimistic; read the ratios against the bare baseline, measured the same way in "
        "the same run. Server: gunicorn, one gevent worker, as in production. Raw results: "
        "`bench/results/server.json`." + (" **Quick run (small sizes).**" if results["quick"]
                                           else ""),
        "",
        table(results),
        "",
        "Baselines: (a) a bare Flask endpoint parsing the same JSON body; (b) a bare "
        "python-socketio handler acknowledging `step:complete` with an echo. Latency in (b) "
        "is measured from each envelope's intended send time (open loop, HdrHistogram), so "
        "queueing is not hidden.",
        END,
    ])
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOC.write_text(text)
