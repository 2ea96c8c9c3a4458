"""The Scenarios report (docs/ANALYTICS.md, "The Scenarios report"): per scenario, its firings
in each arm (treated, held out), how many reached the scenario's goal within ``goal_days``
after the firing, and the lift of the treated arm over the holdout with a 95% interval.

Whether a firing converted is final once its ``goal_days`` have passed: the
worker then writes it on the firing (``settle``, column ``converted``) and counts
it per UTC day and arm (``analytics_scenario_day``, ``scenario_days``). Each
scenario costs one round trip: those counts for the whole days of the range that
have matured, plus the range's other firings (its last ``goal_days`` days, the
partial UTC days at its ends, the firings not settled yet) summed from indexes;
a firing not settled yet is looked up with the goal as a correlated EXISTS on
the indexed table that records it (milestones, progress, plan steps, events).
Both give the same answer; settling also keeps an event goal's answer after
the event retention deletes the event. Scenario definitions come from the ``scenario`` rows (the
body scenarios.yaml was loaded into), never from ``guide.proactive``.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from math import sqrt
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from guide.analytics.filters import Filters, firings_among
from guide.analytics.ranges import check_range, midnight
from guide.analytics.scenario_days import rolled_days, rolled_select
from guide.extensions import db
from guide.models import (
    AccountMilestone,
    AccountStepCompletion,
    AnalyticsScenarioDay,
    AnalyticsWatermark,
    EndUser,
    Event,
    Guide,
    Progress,
    Scenario,
    ScenarioFiring,
    UserMilestone,
    Workspace,
)
from guide.models.base import utcnow
from guide.schemas.proactive import scenario_goal, scenario_subject

# The 97.5th percentile of the standard normal distribution: two-sided 95% intervals.
Z = 1.959963984540054
ARMS = ("treated", "held_out")
ZERO = sa.literal_column("0")


# ---------------------------------------------------------------- intervals


def wilson(x: int, n: int) -> tuple[float, float]:
    """Wilson's score interval for a proportion x/n (Wilson 1927), n > 0."""
    p, z2 = x / n, Z * Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z / (1 + z2 / n) * sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p1 - p2 (Newcombe 1998, method 10): each
    proportion's distance to its own Wilson limits, combined like independent errors."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1)
    l2, u2 = wilson(x2, n2)
    d = p1 - p2
    return (d - sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            d + sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


# ---------------------------------------------------------------- goals in SQL

F = ScenarioFiring


def _days_after(later: Any, earlier: Any) -> Any:
    """``later - earlier`` in days, as SQL (SQLite keeps datetimes as ISO text)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.extract("epoch", later - earlier) / 86400.0
    return sa.func.julianday(later) - sa.func.julianday(earlier)


def _within(at: Any, days: int) -> Any:
    """``at`` is in the firing's goal window: from the firing to ``days`` days after it."""
    return sa.and_(at >= F.fired_at, _days_after(at, F.fired_at) <= days)


def _users_of_subject(subject: str, user_id: Any) -> list[Any]:
    """Conditions: ``user_id`` is the subject user, or a user of the subject account (joined
    in the EXISTS itself, so it correlates with the firing)."""
    if subject == "user":
        return [user_id == F.subject_id]
    return [user_id == EndUser.id, EndUser.account_id == F.subject_id]


def _reached(workspace_id: int, subject: str, goal: dict[str, Any]) -> Any:
    """EXISTS: the firing's subject (``subject``: user or account, the same for every firing
    of a scenario) reached ``goal`` within its days after the firing."""
    kind, key, days = goal["kind"], goal["key"], goal["days"]
    if kind == "milestone" and subject == "user":
        um = UserMilestone
        return sa.exists().where(um.user_id == F.subject_id, um.key == key,
                                 _within(um.reached_at, days))
    if kind == "milestone":
        am = AccountMilestone
        return sa.exists().where(am.account_id == F.subject_id, am.key == key,
                                 _within(am.reached_at, days))
    if kind == "guide":
        return sa.exists().where(
            Progress.guide_id == Guide.id, Guide.workspace_id == workspace_id, Guide.key == key,
            *_users_of_subject(subject, Progress.user_id), Progress.completed_at.is_not(None),
            _within(Progress.completed_at, days))
    if kind == "event":
        # By the user's events (index user_id, created_at): the user is the workspace's, and
        # naming the workspace here would lead a planner to scan every event of that name.
        return sa.exists().where(
            *_users_of_subject(subject, Event.user_id), Event.type == "event:track",
            Event.name == key, _within(Event.created_at, days))
    c = AccountStepCompletion
    account = ([c.account_id == F.subject_id] if subject == "account" else
               [EndUser.id == F.subject_id, c.account_id == EndUser.account_id])
    step = (Guide.key + "/" + c.step_id) == (F.window if kind == "plan_step" else key)
    return sa.exists().where(
        *account, c.guide_id == Guide.id, Guide.workspace_id == workspace_id,
        step, _within(c.completed_at, days))


# ---------------------------------------------------------------- the report


def scenario_report(workspace: Workspace, start: date, end: date,
                    now: datetime | None = None,
                    filters: Filters | None = None) -> dict[str, Any]:
    """Scenarios fired on local days ``start..end``; ``now`` decides which are still pending.
    With ``filters``: only the firings for a user they match, or for an account with a user
    they match (every scenario is still listed)."""
    check_range(start, end)
    now = now or utcnow()
    users = filters.user_ids(workspace, now) if filters else None
    zone = ZoneInfo(workspace.timezone)
    since, until = midnight(start, zone), midnight(end + timedelta(days=1), zone)
    fired_in_range = sa.exists().where(F.scenario_id == Scenario.id, F.fired_at >= since,
                                       F.fired_at < until)
    scenarios = db.session.scalars(sa.select(Scenario).where(
        Scenario.workspace_id == workspace.id,
        sa.or_(Scenario.configured.is_(True), fired_in_range))
        .order_by(Scenario.configured.desc(), Scenario.position, Scenario.id))
    rows = [_scenario(workspace, scenario, since, until, now, users) for scenario in scenarios]
    report = {"timezone": workspace.timezone, "start": start.isoformat(),
              "end": end.isoformat(), "now": now.isoformat(), "scenarios": rows}
    return filters.tagged(report, users) if filters else report


def _scenario(workspace: Workspace, scenario: Scenario, since: datetime, until: datetime,
              now: datetime, users: frozenset[int] | None) -> dict[str, Any]:
    goal = scenario_goal(scenario.body)
    counts = _counts(workspace, scenario, goal, since, until, now, users)
    arms = {arm: _arm(*counts.get(arm == "held_out", [0, 0, 0]), measured=goal is not None)
            for arm in ARMS}
    treated, held = arms["treated"], arms["held_out"]
    lift = lift_ci = None
    if goal and treated["matured"] and held["matured"]:
        lift = treated["rate"] - held["rate"]
        lift_ci = list(newcombe(treated["converted"], treated["matured"],
                                held["converted"], held["matured"]))
    return {"scenario": scenario.key, "title": scenario.body.get("title"),
            "configured": scenario.configured, "goal": goal,
            "holdout": scenario.body.get("holdout", 0), **arms,
            "lift": lift, "lift_ci": lift_ci}


def _counts(workspace: Workspace, scenario: Scenario, goal: dict[str, Any] | None,
            since: datetime, until: datetime, now: datetime,
            users: frozenset[int] | None) -> dict[bool, list[int]]:
    """held_out -> [firings, pending, converted], in one round trip (UNION ALL). The whole
    UTC days of the range whose firings have all matured come from
    ``analytics_scenario_day`` (their settled firings) plus their firings not settled yet
    (partial index); the rest of the range (its last ``goal_days`` days and a partial UTC
    day at each end) from the firings themselves. With filters or without a goal: all
    from the firings (the rollup names no subject)."""
    if goal is None or users is not None:
        return _sum(_raw(scenario, goal, (F.fired_at >= since, F.fired_at < until,
                                          firings_among(users)), now))
    lo, hi = rolled_days(since, until, now - timedelta(days=goal["days"]))
    if lo >= hi:
        return _sum(_raw(scenario, goal, (F.fired_at >= since, F.fired_at < until), now))
    parts = [(F.converted.is_(None), F.fired_at >= lo, F.fired_at < hi)]
    parts += [(F.fired_at >= a, F.fired_at < b) for a, b in ((since, lo), (hi, until)) if a < b]
    return _sum([rolled_select(scenario.id, lo, hi),
                 *(select for where in parts for select in _raw(scenario, goal, where, now))])


def _sum(selects: list[sa.Select[Any]]) -> dict[bool, list[int]]:
    """Run ``selects`` (rows: held_out, firings, pending, converted) as one UNION ALL; sum
    the rows of each arm."""
    counts: dict[bool, list[int]] = {}
    for held, *numbers in db.session.execute(sa.union_all(*selects)):
        arm = counts.setdefault(bool(held), [0, 0, 0])
        for i, n in enumerate(numbers):
            arm[i] += int(n or 0)
    return counts


def _raw(scenario: Scenario, goal: dict[str, Any] | None, where: tuple[Any, ...],
         now: datetime) -> list[sa.Select[Any]]:
    """The numbers of the firings ``where``: a grouped select summing the settled firings,
    and one looking up the goal of the matured firings not settled yet (their window
    closed since the worker's last pass, or the goal just changed; partial index). Two
    selects rather than one CASE: a planner costs the lookup for every row, which made
    PostgreSQL compile the whole query (JIT) for nothing."""
    in_range = (F.scenario_id == scenario.id, *where)
    if goal is None:
        return [sa.select(F.held_out, sa.func.count(), ZERO, ZERO).where(*in_range)
                .group_by(F.held_out)]
    pending = F.fired_at > now - timedelta(days=goal["days"])
    settled = sa.case((sa.and_(~pending, F.converted.is_(True)), 1), else_=0)
    reached = _reached(scenario.workspace_id, scenario_subject(scenario.body), goal)
    return [sa.select(F.held_out, sa.func.count(), sa.func.sum(sa.case((pending, 1), else_=0)),
                      sa.func.sum(settled)).where(*in_range).group_by(F.held_out),
            sa.select(F.held_out, ZERO, ZERO, sa.func.count())
            .where(*in_range, F.converted.is_(None), ~pending, reached).group_by(F.held_out)]


def _arm(firings: int, pending: int, converted: int, *, measured: bool) -> dict[str, Any]:
    """One arm's numbers; without a goal only the firings (no rate: nothing to reach)."""
    matured = firings - pending
    rate = converted / matured if matured and measured else None
    return {"firings": firings, "pending": pending, "matured": matured, "converted": converted,
            "rate": rate, "rate_ci": list(wilson(converted, matured)) if rate is not None else None}


# ---------------------------------------------------------------- settling


SETTLE_BATCH = 5000
SETTLE_SECONDS = 60.0
_last_settle: list[float] = []


def settle_due(now: datetime | None = None) -> int:
    """``settle`` at most every SETTLE_SECONDS (the worker calls it every round)."""
    clock = time.monotonic()
    if _last_settle and clock - _last_settle[0] < SETTLE_SECONDS:
        return 0
    _last_settle[:] = [clock]
    return settle(now)


def settle(now: datetime | None = None, batch: int = SETTLE_BATCH) -> int:
    """The worker's pass: write ``converted`` on firings whose goal window has closed, at
    most ``batch`` per scenario; commits after each. Returns how many firings it settled."""
    now = now or utcnow()
    settled = 0
    for scenario in list(db.session.scalars(sa.select(Scenario))):
        settled += settle_scenario(scenario, now, batch)
        db.session.commit()
    return settled


def settle_scenario(scenario: Scenario, now: datetime, batch: int = SETTLE_BATCH) -> int:
    """Settle up to ``batch`` of one scenario's firings and count them in
    ``analytics_scenario_day``, in the caller's transaction."""
    goal = scenario_goal(scenario.body)
    if goal is None:
        return 0
    # Under another name: a subquery on the updated table itself would correlate with it.
    pick = aliased(ScenarioFiring)
    due = sa.select(pick.id).where(
        pick.scenario_id == scenario.id, pick.converted.is_(None),
        pick.fired_at <= now - timedelta(days=goal["days"])).limit(batch)
    reached = _reached(scenario.workspace_id, scenario_subject(scenario.body), goal)
    # The rollup turn, as the privacy erasure takes it: an erasure deleting firings in
    # several statements and this update locking some of them would deadlock.
    AnalyticsWatermark.lock(scenario.workspace_id)
    # The settled rows, as written (RETURNING), counted in the same transaction.
    rows = db.session.execute(
        sa.update(F).where(F.id.in_(due)).values(
            converted=sa.case((reached, sa.true()), else_=sa.false()))
        .returning(F.workspace_id, F.scenario_id, F.fired_at, F.held_out, F.converted),
        execution_options={"synchronize_session": False}).all()
    AnalyticsScenarioDay.add(rows)
    return len(rows)
