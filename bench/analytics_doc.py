"""The analytics section of docs/BENCHMARKS.md, from bench/analytics.py's results."""

from __future__ import annotations

import argparse
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.search import write_section

DOC = Path(__file__).resolve().parent.parent / "docs" / "BENCHMARKS.md"
START, END = "<!-- bench:analytics:start -->", "<!-- bench:analytics:end -->"
REPORTS = [("guide_report", 30), ("guide_report", 90), ("reactive_report", 30),
           ("reactive_report", 90)]
# Reports without rollups: they read their own tables, so only (b).
OWN_TABLES = [(name, days) for name in ("lifecycle_report", "scenario_report",
                                        "help_search_report") for days in (30, 90)]


def _ms(value: dict[str, Any]) -> str:
    if value.get("min") == value.get("max"):
        return f"{value['median']:,.0f}" if value["median"] >= 100 else f"{value['median']:.1f}"
    return f"{value['median']:.1f} ({value['min']:.1f}-{value['max']:.1f})"


def lines_for(results: dict[str, Any], opts: argparse.Namespace, load: float) -> list[str]:
    names = list(results)
    out = [START, "## Analytics (`bench/analytics.py`, run by `make bench`)", "",
           f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.processor() or 'x86_64'}"
           f", {os.cpu_count()} cores shared with other work (load average {load:.1f} at the "
           "end), Python " + platform.python_version() + ", PostgreSQL 15 and SQLite. "
           "Command: `GUIDE_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test "
           ".venv/bin/python bench/analytics.py` (sizes: `GUIDE_BENCH_ANALYTICS_EVENTS`). "
           "Raw results: `bench/results/analytics.json`.", "",
           "| measure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def row(name: str, fn: Any) -> None:
        cells = []
        for result in results.values():
            try:
                cells.append(fn(result))
            except (KeyError, TypeError):
                cells.append("not measured")
        out.append(f"| {name} | " + " | ".join(cells) + " |")

    row("events / users / guides / escalations", lambda r: "{events:,} / {users:,} / {guides} "
        "/ {escalations:,}".format(**r["dataset"]))
    row("help searches / milestones (users, accounts) / scenario firings",
        lambda r: "{help_searches:,} / {milestones:,}, {account_milestones:,} / "
                  "{firings:,}".format(**r["dataset"]))
    row("dataset load (generate + insert + analyze), s", lambda r: f"{r['dataset']['load_s']}")
    row("**(a) rollup catch-up at the worker's batch size, events/s** (chunks of 100,000: "
        "median, min-max)",
        lambda r: f"**{r['catch_up']['events_per_s']:,}** ({r['catch_up']['median']:,.0f}, "
                  f"{r['catch_up']['min']:,.0f}-{r['catch_up']['max']:,.0f}) over the first "
                  f"{r['catch_up']['events']:,} events, {r['catch_up']['seconds']:,} s")
    row("(a) the rest of the backlog, batches of 20,000, events/s",
        lambda r: "not rolled up (`--sample-only`)" if r["catch_up"].get("sample_only") else
        "none left" if not r["catch_up"]["rest_events"] else
        f"{r['catch_up']['rest_events_per_s']:,} ({r['catch_up']['rest_events']:,} events, "
        f"{r['catch_up']['rest_seconds']:,} s)")
    for name, days in REPORTS:
        key = f"{name}_{days}d"
        row(f"**(b) {name}, {days} days, warm p95 ms** (median of runs, min-max)",
            lambda r, k=key: "**" + _ms(r["reports"][k]["p95_ms"]) + "**")
        row(f"(c) raw_{name}, {days} days, ms",
            lambda r, k=key: _ms(r["reports"][k]["raw_ms"]))
        row(f"(c) ratio raw / rollups ({days} days)",
            lambda r, k=key: f"{r['reports'][k]['ratio']:,.0f}x")
    for name, days in [*OWN_TABLES, ("portfolio", None)]:
        key = f"{name}_{days}d" if days else name
        row(f"**(b) {name}, {f'{days} days' if days else 'every account'}, warm p95 ms** "
            "(median of runs, min-max)",
            lambda r, k=key: "**" + _ms(r["reports"][k]["p95_ms"]) + "**")
        row(f"(c) {name}{f', {days} days' if days else ''}: raw / rollups",
            lambda r, k=key: r["reports"][k]["raw"])
    row("(d) rollup lag under ack load: median / p95 / max, s (settle: 60 s)",
        lambda r: "{median_s} / {p95_s} / {max_s} ({samples} samples)".format(**r["lag"]))
    row("(d) the ack load: acks/s sent (the server's closed-loop capacity); p50 / p99 ms, "
        "failures", lambda r: "{rate:g} ({capacity}); {p50_ms:.1f} / {p99_ms:.1f}, "
        "{failures}".format(capacity=r["lag"]["acks"].get("capacity_acks_per_s", "?"),
                            **{"rate": 200, **r["lag"]["acks"]}))
    out += ["", f"(b) is the median of {opts.runs} runs of {opts.samples} calls each (the p95 "
            "of each run), after two warm-up calls; (c) folds every event of the workspace "
            "in Python, once per report and range (\"not measured\": run with `--raw-runs 0`, "
            "as at 10 million events, where each raw fold takes about half an hour). "
            "Targets (issue #14): each report at least 20x faster than from raw events, "
            "and under 300 ms p95 on PostgreSQL at 10 million events.", END]
    return out


def write_doc(results: dict[str, Any], opts: argparse.Namespace, load: float) -> None:
    write_section(DOC, START, END, "\n".join(lines_for(results, opts, load)))
