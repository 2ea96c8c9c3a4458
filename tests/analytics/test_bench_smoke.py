"""bench/analytics.py at a tiny size, so that the benchmark cannot rot between runs:
its dataset loads, rolls up, and both reports from the rollups equal the raw ones."""

from __future__ import annotations

import argparse

import sqlalchemy as sa

from bench import analytics as bench
from bench import analytics_data
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
    kinds = set(db.session.scalars(sa.select(Event.type).distinct()))
    assert kinds == {"guide:state", "event:track", "step:complete", "help:escalate",
                     "milestone"}
    rolled = bench.catch_up(workspace, plan.now, sample=2000)
    assert rolled["events"] + rolled["rest_events"] == 3000
    assert db.session.scalar(sa.select(AnalyticsWatermark.last_event_id)) == \
        db.session.scalar(sa.select(sa.func.max(Event.id)))
    opts = argparse.Namespace(samples=2, runs=1, raw_runs=1, check=True)
    workspace = db.session.get(Workspace, workspace.id)
    out = bench.reports(workspace, plan.now.date(), plan.now, "g000", opts)
    assert set(out) == {f"{r}_{d}d" for r in ("guide_report", "reactive_report")
                        for d in (30, 90)}
    assert all(v["ratio"] > 0 for v in out.values())


def test_journeys_follow_the_templates_in_start_order():
    plan = bench.plan_for("sqlite", utcnow(), events=500)
    templates = [analytics_data.template(analytics_data.guide_body(n)) for n in range(4)]
    rows = list(analytics_data.journey_events(plan, templates, 1, 1))
    assert 450 <= len(rows) <= 500
    assert all(plan.start <= row[7] <= plan.now for row in rows)
    assert {row[2] for row in rows} >= {"guide:state", "event:track", "step:complete"}
