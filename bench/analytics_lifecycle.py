"""The analytics benchmark's lifecycle: milestones, stages and scenario firings.

The workspace gets a lifecycle.yaml (three milestones with deadlines, three stages)
and three scenarios with a 10% holdout. Each user, first seen as
``analytics_data.insert_people`` has it, reaches ``connected`` (three in four, about a
day after signing up), then ``dashboard`` (seven in ten of those, about three days
later), then ``invited`` (under half of those, about ten days later); an account's
milestones are its first user's. A user still missing a milestone when a scenario's
trigger days have passed gets a firing, one in ten held out; a treated firing makes the
milestone come sooner for some (the lift the report measures). Firings whose goal
window has closed are settled (``converted``) as the worker would; younger ones pending.
The ``guide_stalled`` scenario fires for a share of the users of the most used guide.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bench.analytics_data import Plan, insert_rows

DAY = 86_400.0
LIFECYCLE = {
    "milestones": [
        {"key": "connected", "title": "Connected data", "when": {"event": "connected"},
         "expected_days": 3},
        {"key": "dashboard", "title": "First dashboard", "when": {"event": "dashboard"},
         "expected_days": 7},
        {"key": "invited", "title": "Invited a teammate", "when": {"event": "invited"}},
    ],
    "stages": [
        {"key": "trial", "title": "Trial", "requires": []},
        {"key": "active", "requires": ["connected", "dashboard"], "expected_days": 10},
        {"key": "adopted", "requires": ["invited"], "expected_days": 30},
    ],
}
# milestone: (share of those who reached the one before, mean days after it)
REACH = {"connected": (0.75, 1.0), "dashboard": (0.7, 3.0), "invited": (0.45, 10.0)}
# key, trigger, milestone it waits for (None: a stalled guide), holdout
SCENARIOS = (
    ("connect-data", {"milestone_missing": "connected", "days": 2}, "connected"),
    ("first-dashboard", {"milestone_missing": "dashboard", "days": 5}, "dashboard"),
    ("guide-stalled", {"guide_stalled": "g000", "days": 3}, None),
)
GOAL_DAYS = 7
HOLDOUT = 10  # percent
LIFT = 0.15  # of treated firings not converting on their own, the share the action brings


@dataclass
class Made:
    milestones: int = 0
    account_milestones: int = 0
    firings: int = 0


def add_scenarios(workspace: Any) -> list[int]:
    """The lifecycle and the scenarios (through the ORM: bodies as scenarios.yaml loads
    them); the scenario ids in SCENARIOS' order."""
    from guide.extensions import db
    from guide.models import Scenario
    from guide.schemas.proactive import ScenarioSchema

    workspace.lifecycle = LIFECYCLE
    rows = [Scenario(workspace_id=workspace.id, key=key, position=n, body=ScenarioSchema().load(
        {"key": key, "trigger": trigger, "holdout": f"{HOLDOUT}%", "goal_days": GOAL_DAYS,
         "actions": [{"task": {"message": "Reach out"}}]}))
        for n, (key, trigger, _) in enumerate(SCENARIOS)]
    db.session.add_all(rows)
    db.session.flush()
    return [row.id for row in rows]


def insert_lifecycle(connection: sa.Connection, plan: Plan, workspace: Any,
                     first_user: int) -> dict[str, int]:
    """Milestones, account milestones, stages and firings; how many of each."""
    scenario_ids = add_scenarios(workspace)
    first_account = int(connection.scalar(sa.text(
        "SELECT min(id) FROM account WHERE workspace_id = :w"), {"w": workspace.id}))
    made, firings = Made(), []
    account_first: dict[tuple[int, str], tuple[datetime, int]] = {}

    def milestones() -> Iterator[tuple[Any, ...]]:
        for user, reached in _users(plan, first_user, scenario_ids, firings):
            account = first_account + (user - first_user) % plan.accounts
            for key, at in reached.items():
                made.milestones += 1
                known = account_first.get((account, key))
                if known is None or at < known[0]:
                    account_first[(account, key)] = (at, user)
                yield user, key, "bench", at

    insert_rows(connection, "user_milestone", ("user_id", "key", "source", "reached_at"),
                milestones())
    made.account_milestones = insert_rows(
        connection, "account_milestone", ("account_id", "key", "user_id", "source",
                                          "reached_at"),
        ((account, key, user, "bench", at) for (account, key), (at, user)
         in sorted(account_first.items())))
    made.firings = insert_rows(
        # "window" is a reserved word in PostgreSQL.
        connection, "scenario_firing", ("workspace_id", "scenario_id", "subject_type",
                                        "subject_id", "\"window\"", "details", "fired_at",
                                        "held_out", "converted"),
        ((workspace.id, *firing) for firing in sorted(firings, key=lambda f: f[5])))
    # Settled here rather than by the worker: counted per day as the settling would.
    from guide.models import AnalyticsScenarioDay  # like add_scenarios: guide after sys.path

    AnalyticsScenarioDay.refill(workspace.id)
    for table, milestone_table, owner in (("end_user", "user_milestone", "user_id"),
                                          ("account", "account_milestone", "account_id")):
        for stage, key in (("active", "dashboard"), ("adopted", "invited")):
            connection.execute(sa.text(
                f"UPDATE {table} SET lifecycle_stage = :stage WHERE workspace_id = :w AND id IN "
                f"(SELECT {owner} FROM {milestone_table} WHERE key = :key)"),
                {"stage": stage, "w": workspace.id, "key": key})
    return {"milestones": made.milestones, "account_milestones": made.account_milestones,
            "firings": made.firings}


def _users(plan: Plan, first_user: int, scenario_ids: list[int],
           firings: list[tuple[Any, ...]]) -> Iterator[tuple[int, dict[str, datetime]]]:
    """Each user and the milestones it reached by ``plan.now``; appends its firings
    (scenario, subject type, subject, window, details, fired_at, held_out, converted)."""
    rng = random.Random(plan.seed + 1)
    span = (plan.now - plan.start).total_seconds()
    now = plan.now.timestamp()
    for n in range(plan.users):
        user = first_user + n
        seen = plan.start.timestamp() + span * n / plan.users
        held = n % (100 // HOLDOUT) == 0
        times: dict[str, float] = {}
        before = seen
        for key, (share, mean_days) in REACH.items():
            if rng.random() >= share:
                break
            before = times[key] = before + rng.expovariate(1 / (mean_days * DAY))
        for scenario, (_, trigger, key) in zip(scenario_ids, SCENARIOS, strict=True):
            fired = seen + trigger["days"] * DAY
            if key is None:  # a fifth of the users stall on the most used guide
                if fired > now or rng.random() >= 0.2:
                    continue
                converted = rng.random() < (0.25 if held else 0.35)
            else:
                if fired > now or times.get(key, now + 1) <= fired:
                    continue
                if key not in times and not held and rng.random() < LIFT:
                    times[key] = fired + rng.uniform(0.1, GOAL_DAYS - 0.1) * DAY
                converted = times.get(key, now + 1) <= fired + GOAL_DAYS * DAY
            matured = fired + GOAL_DAYS * DAY <= now
            firings.append((scenario, "user", user, "once", "{}",
                            datetime.fromtimestamp(fired, plan.now.tzinfo), held,
                            converted if matured else None))
        yield user, {key: datetime.fromtimestamp(at, plan.now.tzinfo)
                     for key, at in times.items() if at <= now}
