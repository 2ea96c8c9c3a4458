"""bench/analytics.py at a tiny size, so that the benchmark cannot rot between runs:
its dataset loads, rolls up, and both reports from the rollups equal the raw ones."""

from __future__ import annotations

import argparse

import sqlalchemy as sa

from bench import analytics as bench
from bench import analytics_data
from bench.analytics_doc import lines_for
from guide.extensions import db
from guide.models import AnalyticsWatermark, Event, Workspace
from guide.models.base import utcnow
from tests import factories


def test_the_analytics_benchmark_runs_at_a_tiny_size(app):
    workspace = factories.make_workspace(key="bench", timezone="UTC")
    plan = bench.plan_for("sqlite", utcnow(), events=3000)
    assert (plan.users, plan.guides) == (300, 4)
    dataset = bench.load(workspace, plan)
    assert dataset["events"] == 3000 and dataset["escalations"] > 0
    assert dataset["help_searches"] > 0
    assert dataset["milestones"] > 0 and dataset["account_milestones"] > 0
    assert dataset["firings"] > 0
    kinds = set(db.session.scalars(sa.select(Event.type).distinct()))
    assert kinds == {"guide:state", "event:track", "step:complete", "help:escalate",
                     "milestone"}
    rolled = bench.catch_up(workspace, plan.now, sample=2000)
    assert rolled["events"] + rolled["rest_events"] == 3000
    assert db.session.scalar(sa.select(AnalyticsWatermark.last_event_id)) == \
        db.session.scalar(sa.select(sa.func.max(Event.id)))
    opts = argparse.Namespace(samples=2, runs=1, raw_runs=1, check=True, reports=None)
    workspace = db.session.get(Workspace, workspace.id)
    out = bench.reports(workspace, plan.now.date(), plan.now, "g000", opts)
    _the_new_reports_see_the_data(workspace, plan)
    ranged = ("guide_report", "reactive_report", "lifecycle_report", "scenario_report",
              "help_search_report")
    assert set(out) == {f"{r}_{d}d" for r in ranged for d in (30, 90)} | {"portfolio"}
    assert all(v["p95_ms"]["median"] > 0 for v in out.values())
    raw = {k for k, v in out.items() if "ratio" in v}
    assert raw == {f"{r}_{d}d" for r in ranged[:2] for d in (30, 90)}
    assert all(out[k]["ratio"] > 0 for k in raw)
    assert {v["raw"] for k, v in out.items() if k not in raw} == {bench.NO_RAW}
    # The table of docs/BENCHMARKS.md has a row for each (only the lag is not measured).
    doc = lines_for({"sqlite": {"dataset": dataset, "catch_up": rolled, "reports": out}},
                    opts, 0.0)
    measured = [line for line in doc if line.startswith(("| (b)", "| **(b)", "| (c)"))]
    assert len(measured) == 4 * 3 + 7 * 2 and not any("not measured" in m for m in measured)
    assert sum(bench.NO_RAW in line for line in doc) == 7
    # --raw-runs 0 (the 10M run): the warm p95 only, the raw fold never called.
    calls = []
    skipped = bench.measure(lambda: calls.append("rolled"), lambda: calls.append("raw"),
                            argparse.Namespace(samples=2, runs=1, raw_runs=0, check=False))
    assert "ratio" not in skipped and "raw" not in skipped and "raw" not in calls
    assert bench.label("postgresql", {"dataset": {"events": 10_000_000}}) == \
        "PostgreSQL, 10M events"


def test_a_sample_holding_the_whole_backlog_is_not_sample_only(app):
    """(a) rolls the first ``sample`` events at the worker's batch size and the rest in
    larger batches; when the sample holds the whole backlog nothing is left, and the table
    says so (it said "not rolled up (`--sample-only`)" of a run without that option)."""
    workspace = factories.make_workspace(key="bench", timezone="UTC")
    plan = bench.plan_for("sqlite", utcnow(), events=500)
    events = bench.load(workspace, plan)["events"]
    rolled = bench.catch_up(workspace, plan.now, sample=10_000)
    assert (rolled["events"], rolled["rest_events"], rolled["sample_only"]) == \
        (events, 0, False)
    opts = argparse.Namespace(samples=2, runs=1)
    doc = lines_for({"sqlite": {"catch_up": rolled}}, opts, 0.0)
    assert [line for line in doc if line.startswith("| (a) the rest")] == \
        ["| (a) the rest of the backlog, batches of 20,000, events/s | none left |"]
    left = bench.catch_up(workspace, plan.now, sample=10_000, rest=False)
    assert left["sample_only"] is True


def test_journeys_follow_the_templates_in_start_order():
    plan = bench.plan_for("sqlite", utcnow(), events=500)
    templates = [analytics_data.template(analytics_data.guide_body(n)) for n in range(4)]
    rows = list(analytics_data.journey_events(plan, templates, 1, 1))
    assert 450 <= len(rows) <= 500
    assert all(plan.start <= row[7] <= plan.now for row in rows)
    assert {row[2] for row in rows} >= {"guide:state", "event:track", "step:complete"}


def _the_new_reports_see_the_data(workspace, plan):
    """Every report the benchmark adds finds rows to read: milestones, stages, both arms of
    each scenario, accounts with their standing, and searches that found nothing."""
    from datetime import timedelta

    from guide import analytics

    today = plan.now.date()
    start = today - timedelta(days=89)
    life = analytics.lifecycle_report(workspace, start, today, now=plan.now)
    assert [m["key"] for m in life["milestones"]] == ["connected", "dashboard", "invited"]
    assert plan.users - 5 <= life["signups"] <= plan.users and life["milestones"][0]["reached"] > 0
    stages = {s["stage"]: s["count"] for s in life["stages"]["users"]}
    assert stages["active"] > 0 and stages["trial"] > 0
    scenarios = analytics.scenario_report(workspace, start, today, plan.now)["scenarios"]
    assert [s["scenario"] for s in scenarios] == ["connect-data", "first-dashboard",
                                                  "guide-stalled"]
    assert all(s["treated"]["firings"] > 0 and s["held_out"]["firings"] > 0 for s in scenarios)
    assert all(s["treated"]["converted"] > 0 for s in scenarios)
    book = analytics.portfolio(workspace, now=plan.now)
    assert book["counts"]["total"] == plan.accounts
    assert sum(book["counts"][k] for k in ("on_track", "behind", "stuck")) > 0
    searches = analytics.help_search_report(workspace, start, today)
    assert 0 < searches["zero_result_searches"] < searches["searches"]
    assert searches["top_queries"][0]["searches"] > searches["top_queries"][-1]["searches"]
