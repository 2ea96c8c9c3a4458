"""Where onboarding stalls, per milestone (docs/ANALYTICS.md, "Milestones and lifecycle"):
scenario firings and escalations in the range, read from the live rows."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from guide.analytics.filters import among, firings_among
from guide.analytics.milestones import Lifecycle
from guide.extensions import db
from guide.models import Escalation, Scenario, ScenarioFiring, UserMilestone, Workspace


def stalls_of(workspace: Workspace, life: Lifecycle, lo: datetime, hi: datetime,
              funnel: list[dict[str, Any]], users: frozenset[int] | None,
              rolled: tuple[Counter[int], Counter[str]] | None = None) -> list[dict[str, Any]]:
    """Milestones ranked by scenario stalls, then escalations, then drop-off (``rolled``:
    the firings per scenario and escalations of the stall counts, else the live rows)."""
    firings = dict(rolled[0]) if rolled else dict(db.session.execute(
        sa.select(ScenarioFiring.scenario_id, sa.func.count())
        .where(ScenarioFiring.workspace_id == workspace.id, ScenarioFiring.fired_at >= lo,
               ScenarioFiring.fired_at < hi, firings_among(users))
        .group_by(ScenarioFiring.scenario_id)).all())
    triggers = dict(db.session.execute(sa.select(Scenario.id, Scenario.body).where(
        Scenario.id.in_(list(firings)))).all()) if firings else {}
    stalls: Counter[str] = Counter()
    for milestone in life.milestones:
        for scenario_id, count in firings.items():
            trigger = (triggers.get(scenario_id) or {}).get("trigger") or {}
            if (trigger.get("milestone_missing") == milestone.key
                    or trigger.get("guide_stalled") in milestone.guides):
                stalls[milestone.key] += count
    escalations = (Counter({key: rolled[1][""] - rolled[1][key] for key in life.keys})
                   if rolled else _escalations_before(workspace, life, lo, hi, users))
    rows = [{"key": row["key"], "title": row["title"], "stalls": stalls[row["key"]],
             "escalations": escalations[row["key"]], "drop_off": row["drop_off"],
             "out_of_order": row["out_of_order"]}
            for row in funnel]
    order = {key: index for index, key in enumerate(life.keys)}
    return sorted(rows, key=lambda r: (-r["stalls"], -r["escalations"], -r["drop_off"],
                                       order[r["key"]]))


def _escalations_before(workspace: Workspace, life: Lifecycle, lo: datetime,
                        hi: datetime, users: frozenset[int] | None) -> Counter[str]:
    """Per milestone: escalations users opened in the range before they had reached it."""
    mine = (Escalation.workspace_id == workspace.id, Escalation.origin == "user",
            Escalation.user_id.is_not(None), Escalation.created_at >= lo,
            Escalation.created_at < hi, among(Escalation.user_id, users))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Escalation)
                              .where(*mine)) or 0
    counts = Counter({key: total for key in life.keys})
    if total and life.keys:
        for key, after in db.session.execute(
                sa.select(UserMilestone.key, sa.func.count())
                .select_from(Escalation)
                .join(UserMilestone, sa.and_(UserMilestone.user_id == Escalation.user_id,
                                             UserMilestone.reached_at <= Escalation.created_at))
                .where(*mine, UserMilestone.key.in_(life.keys)).group_by(UserMilestone.key)):
            counts[key] -= after
    return counts
