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

from guide.analytics import store
from guide.analytics.facts import (
    COMPLETED,
    DISMISSED,
    ESCALATED,
    HELP_OPENED,
    SEEN,
    SNOOZED,
    STARTED,
    STEP_COMPLETED,
    STEP_SHOWN,
    TARGET_MISSING,
    Folder,
)
from guide.analytics.ranges import check_range
from guide.analytics.tally import Numbers, Tally, numbers_of, percentile
from guide.errors import NotFound
from guide.extensions import db
from guide.models import Workspace
from guide.models.analytics import GUIDE_LEVEL
from guide.services.published import Pair, published_guide

GUIDE_METRICS = (SEEN, STARTED, COMPLETED, DISMISSED, SNOOZED)
STEP_FRICTION = {"shown": STEP_SHOWN, "target_missing": TARGET_MISSING,
                 "help_opened": HELP_OPENED, "escalations": ESCALATED}


def guide_report(workspace: Workspace, guide_key: str, start: date, end: date) -> dict[str, Any]:
    """The Guide report of ``guide_key`` on local days ``start..end`` (inclusive)."""
    pair = _checked(workspace, guide_key, start, end)
    numbers = _rolled_and_tail(workspace, guide_key, start, end)
    return shape(workspace, pair, numbers, start, end)


def raw_guide_report(workspace: Workspace, guide_key: str, start: date,
                     end: date) -> dict[str, Any]:
    """The same report folded from every event (slow: the oracle)."""
    pair = _checked(workspace, guide_key, start, end)
    folder, tally = Folder(ZoneInfo(workspace.timezone), {}), Tally()
    for row in store.all_events_after(workspace.id, 0):
        tally.extend(fact for fact in folder.fold(row) if fact.guide == guide_key)
    numbers = numbers_of(tally, guide_key, start, end)
    db.session.rollback()
    return shape(workspace, pair, numbers, start, end)


def _checked(workspace: Workspace, guide_key: str, start: date, end: date) -> Pair:
    check_range(start, end)
    pair = published_guide(workspace.id, guide_key)
    if pair is None:
        raise NotFound(f"No published guide {guide_key!r} in this workspace.",
                       code="unknown_guide")
    return pair


def _rolled_and_tail(workspace: Workspace, guide: str, start: date, end: date) -> Numbers:
    """Rolled numbers plus the tail, read against one watermark (``store.consistent``)."""
    return store.consistent(workspace.id,
                            lambda after: _read(workspace, guide, start, end, after))


def _read(workspace: Workspace, guide: str, start: date, end: date, after: int) -> Numbers:
    numbers = store.rolled_numbers(workspace.id, guide, start, end)
    tally = store.tail_tally(workspace, after, guide)
    extra = numbers_of(tally, guide, start, end)
    numbers.counts.update(extra.counts)
    for key, values in extra.durations.items():
        numbers.durations.setdefault(key, []).extend(values)
    tail_users = {(s, m, u) for g, s, m, day, u in tally.users
                  if g == guide and start <= day <= end}
    rolled = store.rolled_users(workspace.id, guide, start, end, {u for _, _, u in tail_users})
    for step, metric, _ in tail_users - rolled:
        numbers.uniques[(step, metric)] += 1
    return numbers


def _timing(values: list[float]) -> dict[str, Any]:
    return {"count": len(values), "median": percentile(values, 0.5),
            "p90": percentile(values, 0.9)}


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
        "time_to_complete": _timing(numbers.durations.get((GUIDE_LEVEL, COMPLETED), [])),
        "days": [{"day": day.isoformat(),
                  **{metric: numbers.by_day(metric, GUIDE_LEVEL, day)
                     for metric in GUIDE_METRICS}} for day in days],
        "steps": _funnel(version.step_ids, numbers, totals[STARTED]["unique"],
                         STEP_SHOWN if guide.kind == "tour" else STEP_COMPLETED),
        # Help and escalations that named the guide but no step.
        "unattributed": {name: numbers.total(metric, GUIDE_LEVEL)
                         for name, metric in STEP_FRICTION.items() if metric != STEP_SHOWN},
    }


def _funnel(step_ids: list[str], numbers: Numbers, started: int,
            reach: str) -> list[dict[str, Any]]:
    """Each step in the guide's order: users who reached it (``reach``: completed it; a
    tour's step: was shown it), the drop-off from the one before."""
    steps, before = [], started
    for step in step_ids:
        reached = numbers.uniques.get((step, reach), 0)
        steps.append({
            "step": step, "completed": reached, "drop_off": before - reached,
            "drop_off_rate": _rate(before - reached, before),
            **{name: numbers.total(metric, step) for name, metric in STEP_FRICTION.items()},
            "time_on_step": _timing(numbers.durations.get((step, STEP_COMPLETED), [])),
        })
        before = reached
    return steps
