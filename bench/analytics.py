"""Analytics at scale, on SQLite and PostgreSQL (not a test; run by `make bench`).

    .venv/bin/python bench/analytics.py                  # SQLite: 1,000,000 events
    GUIDE_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/analytics.py              # and PostgreSQL: 10,000,000 events
    GUIDE_BENCH_ANALYTICS_EVENTS=200000 ...              # a quick run, both at that size

A throwaway database per backend with one workspace, 200 published guides (three
checklists for each tour, five steps each), users (a tenth of the events), accounts
and the events of their runs, help searches among them (bench/analytics_data.py);
the users' milestones, stages and scenario firings (bench/analytics_lifecycle.py).
Then, on the same data:

(a) the rollup catch-up rate: ``guide.analytics.rollup`` over the whole backlog,
    events per second (overall, and the spread over chunks of 100,000 events);
(b) the warm p95 of ``guide_report`` (the most used guide) and ``reactive_report``
    over the last 30 and 90 days, from the rollups; and of ``lifecycle_report``,
    ``scenario_report``, ``help_search_report`` (30 and 90 days) and ``portfolio``
    (no range), which read their own tables (milestones, accounts, firings; searches
    through the event log's index);
(c) the first two from raw events (``raw_guide_report``, ``raw_reactive_report``),
    and the ratio (target: at least 20x; and (b) under 300 ms p95 on PostgreSQL); the
    others have no raw-event equivalent, and say so rather than a ratio;
(d) the rollup lag: seconds from an event's commit to its being rolled, while a live
    server takes the reliability benchmark's ack load (``step:complete`` at 200/s from
    100 sockets) and its embedded worker rolls up.

(b) is the median of 3 runs of ``--samples`` calls each, with the spread; (c) runs
``--raw-runs`` times (one at full size: each folds every event). Writes
bench/results/analytics.json and the analytics section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import analytics_data as data  # noqa: E402
from bench.analytics_lifecycle import insert_lifecycle  # noqa: E402
from bench.search import each_backend, save_results  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "analytics.json"
CHUNK = 100_000
SIZES = {"sqlite": 1_000_000, "postgresql": 10_000_000}


def plan_for(backend: str, now: datetime, events: int | None = None) -> data.Plan:
    events = events or int(os.environ.get("GUIDE_BENCH_ANALYTICS_EVENTS") or SIZES[backend])
    users = max(10, events // 10)
    return data.Plan(events=events, users=users, guides=min(200, max(4, events // 5000)),
                     accounts=max(1, users // 10), start=now - timedelta(days=90), now=now)


def load(workspace: Any, plan: data.Plan) -> dict[str, Any]:
    """The dataset, with fresh statistics; what was written and how long it took."""
    from guide.extensions import db
    from tests.factories import publish

    started = time.perf_counter()
    bodies = [data.guide_body(n) for n in range(plan.guides)]
    for body in bodies:
        publish(workspace, body)
    templates = [data.template(body) for body in bodies]
    ws_id, conn = workspace.id, db.session.connection()
    first_user = data.insert_people(conn, plan, ws_id)
    events = data.insert_events(conn, data.journey_events(plan, templates, ws_id, first_user))
    escalations = data.insert_escalations(conn, ws_id)
    lifecycle = insert_lifecycle(conn, plan, workspace, first_user)
    db.session.commit()
    analyze()
    return {"events": events, "users": plan.users, "accounts": plan.accounts,
            "guides": plan.guides, "escalations": escalations,
            "help_searches": help_searches(ws_id), **lifecycle,
            "load_s": round(time.perf_counter() - started, 1)}


def help_searches(workspace_id: int) -> int:
    import sqlalchemy as sa

    from guide.extensions import db
    from guide.models import Event

    return int(db.session.scalar(sa.select(sa.func.count()).where(
        Event.workspace_id == workspace_id, Event.name == data.SEARCH)) or 0)


def analyze() -> None:
    import sqlalchemy as sa

    from guide.extensions import db

    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE" if conn.dialect.name == "postgresql"
                             else "ANALYZE"))


def catch_up(workspace: Any, now: datetime, sample: int, rest: bool = True) -> dict[str, Any]:
    """(a) Roll the backlog up as the worker does (its batch size), CHUNK events at a time,
    over the first ``sample`` events: the rate. The rest, if any, with batches ten times
    larger (timed apart), so that a 10-million-event run ends in the time at hand."""
    from guide.analytics.rollup import BATCH, rollup

    rates, total, started = [], 0, time.perf_counter()
    more = True
    while more and total < sample:
        chunk = time.perf_counter()
        rolled = rollup(now, workspace_id=workspace.id, max_batches=CHUNK // BATCH)
        if rolled.total:
            total += rolled.total
            rates.append(rolled.total / (time.perf_counter() - chunk))
        more = rolled.more
    seconds = time.perf_counter() - started
    # ``rest``: whether to roll the rest; ``rested``: how many events that was (none when
    # the sample held the whole backlog, which is not ``--sample-only``).
    more, rested, rest_started = more and rest, 0, time.perf_counter()
    while more:
        rolled = rollup(now, workspace_id=workspace.id, batch=10 * BATCH, max_batches=50)
        rested, more = rested + rolled.total, rolled.more
    rest_seconds = time.perf_counter() - rest_started
    analyze()
    return {"events": total, "seconds": round(seconds, 1), "sample_only": not rest,
            "events_per_s": round(total / seconds), **spread(rates, 0),
            "rest_events": rested, "rest_seconds": round(rest_seconds, 1),
            "rest_events_per_s": round(rested / rest_seconds) if rested else None}


def spread(values: list[float], digits: int = 1) -> dict[str, Any]:
    if not values:
        return {}
    ordered = sorted(values)
    return {"median": round(statistics.median(ordered), digits),
            "min": round(ordered[0], digits), "max": round(ordered[-1], digits)}


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


# Reports that read their own tables (milestones, accounts, firings) or the event log's
# index (help searches) and have no rollups, so no raw-event equivalent to compare with.
NO_RAW = "reads its own tables, no raw-event equivalent"


def reports(workspace: Any, today: date, now: datetime, guide: str,
            opts: argparse.Namespace) -> dict[str, Any]:
    """(b) and (c) for every report and both ranges, in milliseconds; the portfolio, which
    has no range, once."""
    from guide import analytics

    out = {}
    for days in (30, 90):
        start = today - timedelta(days=days - 1)
        calls: dict[str, tuple[Callable[[], Any], Callable[[], Any] | None]] = {
            "guide_report": (lambda s=start: analytics.guide_report(workspace, guide, s, today),
                             lambda s=start: analytics.raw_guide_report(workspace, guide, s,
                                                                        today)),
            "reactive_report": (lambda s=start: analytics.reactive_report(workspace, s, today,
                                                                          now),
                                lambda s=start: analytics.raw_reactive_report(workspace, s,
                                                                              today, now)),
            "lifecycle_report": (lambda s=start: analytics.lifecycle_report(
                workspace, s, today, now=now), None),
            "scenario_report": (lambda s=start: analytics.scenario_report(
                workspace, s, today, now), None),
            "help_search_report": (lambda s=start: analytics.help_search_report(
                workspace, s, today), None),
        }
        if days == 90:
            calls["portfolio"] = (lambda: analytics.portfolio(workspace, now=now), None)
        for name, (rolled, raw) in calls.items():
            if opts.reports and name not in opts.reports:
                continue
            key = name if name == "portfolio" else f"{name}_{days}d"
            out[key] = measure(rolled, raw, opts)
            raw_ms = out[key].get("raw_ms", {}).get("median")
            print(f"  {key}: p95 {out[key]['p95_ms']['median']:.1f} ms, raw "
                  f"{raw_ms if raw_ms is not None else out[key].get('raw', 'not run')}",
                  flush=True)
    return out


def measure(rolled: Callable[[], Any], raw: Callable[[], Any] | None,
            opts: argparse.Namespace) -> dict[str, Any]:
    """The warm p95 of ``rolled``; beside it ``raw``'s time and the ratio, if there is one."""
    if opts.check and raw is not None:
        assert rolled() == raw()
    for _ in range(2):
        rolled()  # warm: the pool, the published guide's cache, the page cache
    runs = [p95([timed(rolled) for _ in range(opts.samples)]) for _ in range(opts.runs)]
    result: dict[str, Any] = {"p95_ms": {**spread(runs), "each": [round(r, 1) for r in runs]}}
    if raw is None:
        return {**result, "raw": NO_RAW}
    if not opts.raw_runs:  # --raw-runs 0: at 10M events each raw fold takes half an hour
        return result
    raws = [timed(raw) for _ in range(opts.raw_runs)]
    return {**result, "raw_ms": {**spread(raws), "each": [round(r, 1) for r in raws]},
            "ratio": round(statistics.median(raws) / statistics.median(runs), 1)}


def prepare(workspace: Any, plan: data.Plan, stash: Path,
            opts: argparse.Namespace) -> dict[str, Any]:
    """The dataset, then (a): the whole backlog rolled up (the workspace's timezone: UTC)."""
    if stash.exists() and "catch_up" not in json.loads(stash.read_text()):
        dataset = json.loads(stash.read_text())["dataset"]  # loaded, not rolled up yet
    else:
        dataset = load(workspace, plan)
        stash.write_text(json.dumps({"dataset": dataset, "now": plan.now.isoformat()}))
    print(f"  loaded {dataset}", flush=True)
    rolled = catch_up(workspace, plan.now, opts.catch_up_sample, rest=not opts.sample_only)
    print(f"  rollup catch-up {rolled}", flush=True)
    return {"dataset": dataset, "catch_up": rolled}


def run_backend(url: str, backend: str, opts: argparse.Namespace) -> dict[str, Any]:
    from flask_migrate import upgrade

    from guide import create_app
    from guide.extensions import db
    from guide.models import Workspace
    from guide.models.base import utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 32,
                      "GUIDE_DEMO": False, "GUIDE_WORKER": "off"})
    stash = RESULTS.with_name(f"analytics-{backend}-data.json")
    with app.app_context():
        upgrade()
        workspace = db.session.query(Workspace).filter_by(key="bench").one_or_none()
        print(f"[{backend}] analytics benchmark ...", flush=True)
        if workspace is None:
            stash.unlink(missing_ok=True)
            workspace = Workspace(key="bench", name="Bench", timezone="UTC")
            workspace.ensure_signing_secret()
            db.session.add(workspace)
            db.session.commit()
        kept = json.loads(stash.read_text()) if stash.exists() else {}
        now = datetime.fromisoformat(kept["now"]) if kept else utcnow()
        plan = plan_for(backend, now, opts.events)
        if "catch_up" in kept:  # --database: loaded and rolled up by an earlier run
            result = {k: v for k, v in kept.items() if k != "now"}
        else:
            result = prepare(workspace, plan, stash, opts)
            stash.write_text(json.dumps({**result, "now": plan.now.isoformat()}))
        if not opts.data_only:
            result["reports"] = reports(workspace, plan.now.date(), plan.now, "g000", opts)
        db.session.remove()
        db.engine.dispose()
    if not opts.no_lag:
        from bench.analytics_lag import measure_lag

        result["lag"] = measure_lag(backend, opts.postgres, opts.lag_seconds)
        print(f"  lag {result['lag']}", flush=True)
    return result


def label(backend: str, result: dict[str, Any]) -> str:
    """A results column: "PostgreSQL, 10M events"."""
    name = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(backend, backend)
    return f"{name}, {result['dataset']['events'] / 1e6:g}M events"


def main() -> None:
    from bench.analytics_doc import write_doc

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=None,
                        help="events per backend (default: GUIDE_BENCH_ANALYTICS_EVENTS, "
                             "else 1,000,000 on SQLite and 10,000,000 on PostgreSQL)")
    parser.add_argument("--samples", type=int, default=20, help="calls per p95 run")
    parser.add_argument("--runs", type=int, default=3, help="p95 runs (their median)")
    parser.add_argument("--raw-runs", type=int, default=1,
                        help="raw computations per report (0: none, no ratio)")
    parser.add_argument("--check", action="store_true", help="assert rollups == raw first")
    parser.add_argument("--lag-seconds", type=float, default=150.0)
    parser.add_argument("--no-lag", action="store_true", help="skip (d), the live server")
    parser.add_argument("--postgres", default=os.environ.get("GUIDE_TEST_DATABASE_URL"),
                        help="a PostgreSQL URL to create a throwaway database next to")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument("--database", default=None,
                        help="use (and keep) this database; a second run reuses its dataset")
    parser.add_argument("--catch-up-sample", type=int, default=1_000_000,
                        help="events rolled at the worker's batch size for (a)")
    parser.add_argument("--sample-only", action="store_true",
                        help="(a) over the sample only; leave the rest of the backlog")
    parser.add_argument("--data-only", action="store_true", help="load and roll up, no reports")
    parser.add_argument("--reports", type=lambda text: set(text.split(",")), default=None,
                        help="only these reports, e.g. guide_report,portfolio (default: all)")
    parser.add_argument("--merge", action="store_true",
                        help="keep the other columns of bench/results/analytics.json (a run "
                             "per size, e.g. PostgreSQL at 10M apart)")
    opts = parser.parse_args()

    def backend_of(url: str) -> str:
        return "postgresql" if url.startswith("postgres") else "sqlite"

    if opts.database:
        results = {backend_of(opts.database): run_backend(opts.database,
                                                          backend_of(opts.database), opts)}
    else:
        results = each_backend(opts.postgres, lambda url: run_backend(url, backend_of(url),
                                                                      opts), only=opts.only)
    if opts.data_only:
        return
    results = {label(backend, result): result for backend, result in results.items()}
    if opts.merge and RESULTS.exists():
        results = {**json.loads(RESULTS.read_text())["results"], **results}
    print(json.dumps(results, indent=1))
    load_average = save_results(RESULTS, results)
    write_doc(results, opts, load_average)
    print(f"wrote {RESULTS.relative_to(ROOT)} and the analytics section of docs/BENCHMARKS.md")


if __name__ == "__main__":
    main()
