"""Every published guide's headline numbers for a range, in one read (the Analytics list).

The same numbers as each guide's ``guide_report`` (unique eligible, seen, started,
completed, dismissed; completion rate; median time to complete), read for all
guides at once: one grouped SUM over the reach rollup (``reach``), one
read of the completion durations, and one fold of the tail for every guide,
where a report per guide would fold the tail once per guide.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import sqlalchemy as sa

from guide.analytics import reach, store
from guide.analytics.facts import COMPLETED, DISMISSED, ELIGIBLE, SEEN, STARTED
from guide.analytics.ranges import check_range
from guide.analytics.tally import Tally, percentile
from guide.extensions import db
from guide.models import AnalyticsDuration, AnalyticsUserDay, Workspace
from guide.models.analytics import GUIDE_LEVEL

METRICS = (ELIGIBLE, SEEN, STARTED, COMPLETED, DISMISSED)
CHUNK = 500


def guides_summary(workspace: Workspace, guides: list[str], start: date,
                   end: date) -> dict[str, dict[str, Any]]:
    """``{guide: {seen, started, completed, dismissed, completion_rate, median}}``."""
    check_range(start, end)
    uniques, durations = store.consistent(workspace.id, lambda after: _read(
        workspace, start, end, after))
    summaries = {}
    for guide in guides:
        started, completed = uniques[(guide, STARTED)], uniques[(guide, COMPLETED)]
        summaries[guide] = {
            **{metric: uniques[(guide, metric)] for metric in METRICS},
            "completion_rate": completed / started if started else None,
            "median": percentile(durations.get(guide, []), 0.5)}
    return summaries


def _read(workspace: Workspace, start: date, end: date,
          after: int) -> tuple[Counter[tuple[str, str]], dict[str, list[float]]]:
    u, d = AnalyticsUserDay, AnalyticsDuration
    level = (u.workspace_id == workspace.id, u.step_id == GUIDE_LEVEL, u.metric.in_(METRICS),
             u.day.between(start, end))
    uniques: Counter[tuple[str, str]] = Counter({
        (guide, metric): n for (guide, _, metric), n in reach.uniques(
            workspace.id, start, end, step=GUIDE_LEVEL).items() if metric in METRICS})
    durations: dict[str, list[float]] = {}
    for guide, seconds in db.session.execute(sa.select(d.guide_key, d.seconds).where(
            d.workspace_id == workspace.id, d.step_id == GUIDE_LEVEL, d.metric == COMPLETED,
            d.day.between(start, end))):
        durations.setdefault(guide, []).append(seconds)
    _add_tail(store.tail_tally(workspace, after, None), start, end, level, uniques, durations)
    return uniques, durations


def _add_tail(tally: Tally, start: date, end: date, level: tuple[Any, ...],
              uniques: Counter[tuple[str, str]], durations: dict[str, list[float]]) -> None:
    """The tail's users not rolled yet for the same (guide, metric), and its durations."""
    tail = {(g, m, user) for g, s, m, day, user in tally.users
            if s == GUIDE_LEVEL and m in METRICS and start <= day <= end}
    ids, u = sorted({user for _, _, user in tail}), AnalyticsUserDay
    rolled: set[tuple[str, str, int]] = set()
    for first in range(0, len(ids), CHUNK):
        rolled.update((g, m, user) for g, m, user in db.session.execute(
            sa.select(u.guide_key, u.metric, u.user_id).distinct()
            .where(*level, u.user_id.in_(ids[first:first + CHUNK]))))
    uniques.update((g, m) for g, m, _ in tail - rolled)
    for (g, s, m, _), (day, seconds) in tally.durations.items():
        if s == GUIDE_LEVEL and m == COMPLETED and start <= day <= end:
            durations.setdefault(g, []).append(seconds)
