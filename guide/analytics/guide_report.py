"""The Guide report (docs/ANALYTICS.md), from the rollups plus the tail, or from raw events.

``guide_report`` is what the admin, the API and the CLI show: the rolled
numbers of the range plus the events the worker has not rolled yet (the
tail), folded from the users' rolled runs. ``raw_guide_report`` folds every
event from the first: the oracle the tests (and the benchmark) compare it to.
Both shape the same ``Numbers`` the same way.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from guide.analytics import cohort, event_rows, store
from guide.analytics.facts import (
    CHECKLIST_OPEN,
    COMPLETED,
    DISMISSED,
    ELIGIBLE,
    ESCALATED,
    HELP_OPENED,
    ITEM_CLICKED,
    ITEM_EXPANDED,
    SEEN,
    SNOOZED,
    STARTED,
    STEP_COMPLETED,
    STEP_SHOWN,
    STEP_TIME,
    STUCK,
    TARGET_MISSING,
    Folder,
)
from guide.analytics.filters import Filters
from guide.analytics.ranges import check_range
from guide.analytics.tally import (
    Numbers,
    Tally,
    numbers_of,
    tally_user_days,
    user_day_numbers,
)
from guide.errors import NotFound
from guide.extensions import db
from guide.models import Workspace
from guide.models.analytics import GUIDE_LEVEL
from guide.services.published import Pair, published_guide

GUIDE_METRICS = (ELIGIBLE, SEEN, CHECKLIST_OPEN, STARTED, COMPLETED, DISMISSED, SNOOZED)
# What users saw and did at each step (totals): tour steps shown, checklist items
# expanded and their action clicked.
STEP_VIEWS = {"shown": STEP_SHOWN, "expanded": ITEM_EXPANDED, "clicked": ITEM_CLICKED}
# Beside each step, why users leave it ("stuck": help opened from its "Stuck?", a part
# of help_opened). Help and escalations naming no step are ``unattributed``.
STEP_FRICTION = {"target_missing": TARGET_MISSING, "stuck": STUCK, "help_opened": HELP_OPENED,
                 "escalations": ESCALATED}
UNATTRIBUTED = {name: metric for name, metric in STEP_FRICTION.items() if metric != STUCK}


def guide_report(workspace: Workspace, guide_key: str, start: date, end: date,
                 filters: Filters | None = None) -> dict[str, Any]:
    """The Guide report of ``guide_key`` on local days ``start..end`` (inclusive), of the
    users ``filters`` matches (docs/ANALYTICS.md, "Filters": totals are then user-days)."""
    pair = checked_guide(workspace, guide_key, start, end)
    users = filters.user_ids(workspace) if filters else None
    numbers, cohort_numbers = store.consistent(workspace.id, lambda after: _read(
        workspace, guide_key, start, end, after, users))
    report = shape(workspace, pair, numbers, start, end)
    report["cohort"] = cohort_numbers
    return _filtered(report, filters, users)


def raw_guide_report(workspace: Workspace, guide_key: str, start: date,
                     end: date, filters: Filters | None = None) -> dict[str, Any]:
    """The same report folded from every event (slow: the oracle)."""
    pair = checked_guide(workspace, guide_key, start, end)
    users = filters.user_ids(workspace) if filters else None
    folder, tally = Folder(ZoneInfo(workspace.timezone), {}), Tally()
    for row in event_rows.all_events_after(workspace.id, 0):
        tally.extend(fact for fact in folder.fold(row) if fact.guide == guide_key
                     and (users is None or fact.user_id in users))
    numbers = (numbers_of(tally, guide_key, start, end) if users is None
               else user_day_numbers(*tally_user_days(tally, guide_key, start, end)))
    db.session.rollback()
    report = shape(workspace, pair, numbers, start, end)
    started: cohort.Days = {}
    completed: cohort.Days = {}
    cohort.merge(tally, guide_key, start, end, started, completed)
    report["cohort"] = cohort.shaped(started, completed, users)
    return _filtered(report, filters, users)


def _filtered(report: dict[str, Any], filters: Filters | None,
              users: frozenset[int] | None) -> dict[str, Any]:
    return filters.tagged(report, users, totals="user_days") if filters else report


def checked_guide(workspace: Workspace, guide_key: str, start: date, end: date) -> Pair:
    check_range(start, end)
    pair = published_guide(workspace.id, guide_key)
    if pair is None:
        raise NotFound(f"No published guide {guide_key!r} in this workspace.",
                       code="unknown_guide")
    return pair


def _read(workspace: Workspace, guide: str, start: date, end: date, after: int,
          users: frozenset[int] | None) -> tuple[Numbers, dict[str, Any]]:
    """Rolled numbers plus the tail above ``after`` (``store.consistent`` gives one
    watermark), and the cohort, from one fold of the tail."""
    tally = store.tail_tally(workspace, after, guide, users)
    numbers = (_numbers(workspace, guide, start, end, tally) if users is None
               else _filtered_numbers(workspace, guide, start, end, tally, users))
    return numbers, cohort.cohort_of(workspace, guide, start, end, tally, users)


def _numbers(workspace: Workspace, guide: str, start: date, end: date,
             tally: Tally) -> Numbers:
    extra = numbers_of(tally, guide, start, end)
    numbers = store.rolled_numbers(workspace.id, guide, start, end,
                                   max(map(len, extra.durations.values()), default=0))
    numbers.counts.update(extra.counts)
    for key, values in extra.durations.items():
        numbers.durations.setdefault(key, []).extend(values)
    tail_users = {(s, m, u) for g, s, m, day, u in tally.users
                  if g == guide and start <= day <= end}
    rolled = store.rolled_users(workspace.id, guide, start, end, {u for _, _, u in tail_users})
    for step, metric, _ in tail_users - rolled:
        numbers.uniques[(step, metric)] += 1
    return numbers


def _filtered_numbers(workspace: Workspace, guide: str, start: date, end: date, tally: Tally,
                      users: frozenset[int]) -> Numbers:
    """The rolled user-days of ``users`` plus theirs in the tail (each user-day once)."""
    days = store.rolled_user_days(workspace.id, guide, start, end, users)
    durations = store.rolled_durations_of(workspace.id, guide, start, end, users)
    tail_days, tail_durations = tally_user_days(tally, guide, start, end)
    for key, values in tail_durations.items():
        durations.setdefault(key, []).extend(values)
    return user_day_numbers(days | tail_days, durations)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def shape(workspace: Workspace, pair: Pair, numbers: Numbers, start: date,
          end: date) -> dict[str, Any]:
    """The report as plain data (docs/ANALYTICS.md, "The Guide report")."""
    guide, version = pair
    totals = {metric: {"total": numbers.total(metric, GUIDE_LEVEL),
                       "unique": numbers.uniques.get((GUIDE_LEVEL, metric), 0)}
              for metric in GUIDE_METRICS}
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return {
        "guide": guide.key, "kind": guide.kind, "timezone": workspace.timezone,
        "start": start.isoformat(), "end": end.isoformat(),
        **totals,
        "completion_rate": _rate(totals[COMPLETED]["unique"], totals[STARTED]["unique"]),
        "time_to_complete": numbers.timing(GUIDE_LEVEL, COMPLETED),
        "days": [{"day": day.isoformat(),
                  **{metric: numbers.by_day(metric, GUIDE_LEVEL, day)
                     for metric in GUIDE_METRICS}} for day in days],
        "steps": _funnel(version.step_ids, numbers, totals[STARTED]["unique"],
                         *((STEP_SHOWN, STEP_TIME) if guide.kind == "tour"
                           else (STEP_COMPLETED, STEP_COMPLETED))),
        # Help and escalations that named the guide but no step.
        "unattributed": {name: numbers.total(metric, GUIDE_LEVEL)
                         for name, metric in UNATTRIBUTED.items()},
    }


def by_week(days: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's ``days`` added up per local week (Monday to Sunday): ``week`` is its
    Monday, ``start`` and ``end`` the range's days in it (the first and last weeks may
    be partial)."""
    weeks: dict[str, dict[str, Any]] = {}
    for day in days:
        local = date.fromisoformat(day["day"])
        monday = (local - timedelta(days=local.weekday())).isoformat()
        week = weeks.setdefault(monday, {"week": monday, "start": day["day"],
                                         **dict.fromkeys(GUIDE_METRICS, 0)})
        week["end"] = day["day"]
        for metric in GUIDE_METRICS:
            week[metric] += day[metric]
    return list(weeks.values())


def _funnel(step_ids: list[str], numbers: Numbers, started: int, reach: str,
            timed: str) -> list[dict[str, Any]]:
    """Each step in the guide's order: users who reached it (``reach``: completed it; a
    tour's step: was shown it), the drop-off from the one before; the time on it
    (``timed``: the durations its completions end; a tour's: from shown to the next)."""
    steps, before = [], started
    for step in step_ids:
        reached = numbers.uniques.get((step, reach), 0)
        steps.append({
            "step": step, "completed": reached, "drop_off": before - reached,
            "drop_off_rate": _rate(before - reached, before),
            **{name: numbers.total(metric, step)
               for name, metric in {**STEP_VIEWS, **STEP_FRICTION}.items()},
            "time_on_step": numbers.timing(step, timed),
        })
        before = reached
    return steps
