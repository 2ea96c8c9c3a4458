"""The lifecycle report's cohort cells and times to value from the signup rollup
(``guide.analytics.signups``) plus its news: sums over (day, milestone, bucket) rows,
so the read does not grow with the number of users.

Quantiles, exactly: the bucket counts locate the bucket holding the nearest rank;
only that bucket's exact values are read (``analytics_time_to_value``, a range of
its key), the news in it merged, and the rank picked inside.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from guide.analytics import stages, stall_counts
from guide.analytics.signups import SIGNUP, Change, bucket, news, span, within_bucket
from guide.extensions import db
from guide.models import AnalyticsSignup, AnalyticsTimeToValue, AnalyticsWatermark, Workspace

# Optimistic reads before a report takes the rollup turn itself (a worker folded meanwhile).
ATTEMPTS = 3
QUANTILES = (0.5, 0.9)


@dataclass
class Cohorts:
    """Signups per week, users who reached each milestone per week (ever, in time), and
    (milestone, nearest rank) -> seconds to value for each of QUANTILES."""

    signups: Counter[int] = field(default_factory=Counter)
    reached: Counter[tuple[int, str]] = field(default_factory=Counter)
    within: Counter[tuple[int, str]] = field(default_factory=Counter)
    quantiles: dict[tuple[str, int], int] = field(default_factory=dict)
    # Users per stage now (None: never moved), read in the same state; firings per
    # scenario and escalations (all: "", after each milestone) in the range.
    stages: Counter[str | None] = field(default_factory=Counter)
    firings: Counter[int] = field(default_factory=Counter)
    escalations: Counter[str] = field(default_factory=Counter)


def rank(q: float, count: int) -> int:
    """Nearest rank: the ceil(q * n)-th of n values sorted ascending (1-based)."""
    return max(1, math.ceil(q * count))


def rolled_cohorts(workspace: Workspace, keys: list[str], start: date, end: date,
                   within_days: int, week_of: Callable[[date], int]) -> Cohorts | None:
    """The cohorts of signups on ``start..end``; None while the rollup is not folded in
    the workspace's timezone (after a change of it, or a reset): read the live rows."""
    w = AnalyticsWatermark
    state = sa.select(w.signup_zone, w.rolled_at).where(w.workspace_id == workspace.id)
    for attempt in range(ATTEMPTS + 1):
        if attempt == ATTEMPTS:
            w.lock(workspace.id)
        before = db.session.execute(state).first()
        if before is None or before[0] != workspace.timezone:
            db.session.rollback()
            return None
        cohorts = _read(workspace, keys, start, end, within_days, week_of)
        if attempt == ATTEMPTS or db.session.execute(state).first() == before:
            db.session.rollback()
            return cohorts
        db.session.rollback()
    raise AssertionError("unreachable: the last attempt holds the lock")


def _read(workspace: Workspace, keys: list[str], start: date, end: date, within_days: int,
          week_of: Callable[[date], int]) -> Cohorts:
    s, cohorts, last = AnalyticsSignup, Cohorts(), within_bucket(within_days)
    where = (s.workspace_id == workspace.id, s.day.between(start, end),
             s.key.in_([SIGNUP, *keys]))
    timely = sa.case((s.bucket <= last, 1), else_=0).label("timely")
    for day, key, in_time, users in db.session.execute(
            sa.select(s.day, s.key, timely, sa.func.sum(s.users)).where(*where)
            .group_by(s.day, s.key, timely)):
        _count(cohorts, week_of(day), key, int(users), bool(in_time))
    buckets: Counter[tuple[str, int]] = Counter({
        (key, index): int(users) for key, index, users in db.session.execute(
            sa.select(s.key, s.bucket, sa.func.sum(s.users)).where(*where, s.key != SIGNUP)
            .group_by(s.key, s.bucket))})
    zone = ZoneInfo(workspace.timezone)
    found = news(workspace.id, zone)
    changes = [c for c in found.changes
               if start <= c.day <= end and (c.key == SIGNUP or c.key in keys)]
    for change in changes:
        index = bucket(change.seconds)
        _count(cohorts, week_of(change.day), change.key, change.sign, index <= last)
        if change.key != SIGNUP:
            buckets[(change.key, index)] += change.sign
    for key in keys:
        _quantiles(workspace.id, key, start, end, buckets, changes, cohorts.quantiles)
    cohorts.stages = stages.counts(workspace.id)
    cohorts.firings, cohorts.escalations = stall_counts.counts(workspace.id, zone, start, end,
                                                               found.fresh)
    return cohorts


def _count(cohorts: Cohorts, week: int, key: str, users: int, in_time: bool) -> None:
    if key == SIGNUP:
        cohorts.signups[week] += users
        return
    cohorts.reached[(week, key)] += users
    if in_time:
        cohorts.within[(week, key)] += users


def _quantiles(workspace_id: int, key: str, start: date, end: date,
               buckets: Counter[tuple[str, int]], changes: list[Change],
               found: dict[tuple[str, int], int]) -> None:
    """The value at each quantile's nearest rank among ``key``'s times to value."""
    counts = sorted((index, n) for (k, index), n in buckets.items() if k == key and n)
    total = sum(n for _, n in counts)
    values: dict[int, list[int]] = {}
    for q in QUANTILES:
        if not total:
            return
        wanted = rank(q, total)
        index, below = _locate(counts, wanted)
        if index not in values:
            values[index] = _bucket_values(workspace_id, key, index, start, end, changes)
        found[(key, wanted)] = values[index][wanted - below - 1]


def _locate(counts: list[tuple[int, int]], wanted: int) -> tuple[int, int]:
    """The bucket holding the ``wanted``-th value, and how many values are below it."""
    below = 0
    for index, n in counts:
        if below + n >= wanted:
            return index, below
        below += n
    raise AssertionError("the rank is at most the count")


def _bucket_values(workspace_id: int, key: str, index: int, start: date, end: date,
                   changes: list[Change]) -> list[int]:
    """The sorted times to value in one bucket: the rolled ones and the news."""
    t, (low, high) = AnalyticsTimeToValue, span(index)
    query = (sa.select(t.seconds, sa.func.sum(t.users))
             .where(t.workspace_id == workspace_id, t.key == key, t.seconds >= low,
                    t.day.between(start, end)).group_by(t.seconds))
    if high is not None:
        query = query.where(t.seconds < high)
    counts: Counter[int] = Counter({int(s): int(n) for s, n in db.session.execute(query)})
    for change in changes:
        if change.key == key and bucket(change.seconds) == index:
            counts[change.seconds] += change.sign
    return sorted(counts.elements())

