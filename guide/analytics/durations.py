"""A guide report's durations by rank, read from buckets (docs/ANALYTICS.md, "Durations").

Sorting every duration of a range for a median and a p90 read O(events) rows: 199 ms
of the 10M-event report at 90 days. The fold also counts each key's durations per day
and bucket of seconds (``analytics_duration_bucket``, the log-spaced buckets of
``signups.bucket``); a report sums those counts (O(days x keys x buckets)), finds the
buckets holding the ranks around each share, and reads the exact durations of those
buckets only (``ix_analytics_duration_seconds``). The ranks it gives are exact, so
``tally.Ranked`` merges the tail's durations as before.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

import sqlalchemy as sa

from guide.analytics.signups import BOUNDS, bucket
from guide.analytics.tally import SHARES, DurationKey, Ranked
from guide.extensions import db
from guide.models import AnalyticsDuration, AnalyticsDurationBucket

# (guide, step, metric, day, bucket)
BucketKey = tuple[str, str, str, date, int]


def buckets(durations: dict[DurationKey, tuple[date, float]]) -> Counter[BucketKey]:
    """A batch's durations counted per (guide, step, metric, day, bucket)."""
    return Counter((guide, step, metric, day, bucket(seconds))
                   for (guide, step, metric, _), (day, seconds) in durations.items())


def windows(count: int, tail: int) -> list[tuple[int, int]]:
    """The ranks ``[low, high]`` around each of SHARES that ``Ranked.percentile`` may read
    with up to ``tail`` more durations (and some for rounding)."""
    return [(max(1, num * count // den - tail - 1), num * (count + tail) // den + 2)
            for num, den in SHARES]


def ranked(workspace_id: int, guide: str, start: date, end: date,
           tail: int = 0) -> dict[tuple[str, str], Ranked]:
    """(step, metric) -> its rolled durations on days ``start..end``: how many, and the
    values at every rank of the buckets that hold the ranks of ``windows``."""
    per_key: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    b = AnalyticsDurationBucket
    for step, metric, index, count in db.session.execute(
            sa.select(b.step_id, b.metric, b.bucket, sa.func.sum(b.count))
            .where(b.workspace_id == workspace_id, b.guide_key == guide,
                   b.day.between(start, end))
            .group_by(b.step_id, b.metric, b.bucket)):
        per_key[(step, metric)][index] = int(count)
    result = {key: Ranked(sum(counts.values())) for key, counts in per_key.items()}
    near = {key: windows(result[key].count, tail) for key in per_key}
    # (step, metric, bucket) -> the rank before its first value
    wanted: dict[tuple[str, str, int], int] = {}
    for key, counts in per_key.items():
        before = 0
        for index in sorted(counts):
            if any(low <= before + counts[index] and before < high for low, high in near[key]):
                wanted[(*key, index)] = before
            before += counts[index]
    if wanted:
        _rank(result, near, wanted, _bucket_values(workspace_id, guide, start, end, wanted))
    return result


def _rank(result: dict[tuple[str, str], Ranked], near: dict[tuple[str, str], list[tuple[int, int]]],
          wanted: dict[tuple[str, str, int], int], rows: Any) -> None:
    """The values at the ranks of ``near``: a value's ranks follow its bucket's rank before
    and the values below it there (rows: each distinct value by seconds, how many)."""
    seen: Counter[tuple[str, str, int]] = Counter()
    for step, metric, seconds, count in rows:
        where, key = (step, metric, bucket(seconds)), (step, metric)
        first = wanted[where] + seen[where] + 1
        seen[where] += count
        for low, high in near[key]:
            for rank in range(max(first, low), min(first + count - 1, high) + 1):
                result[key].at[rank] = seconds


def _bucket_values(workspace_id: int, guide: str, start: date, end: date,
                   wanted: dict[tuple[str, str, int], int]) -> Any:
    """(step, metric, seconds, how many) of the wanted buckets' durations, each distinct
    value once, by key then seconds.

    One SELECT per bucket in a UNION ALL: each is a range scan of the index by seconds.
    With the buckets OR-ed in one WHERE, PostgreSQL scanned the guide's whole index."""
    d = AnalyticsDuration
    parts = []
    for step, metric, index in wanted:
        low, high = _span(index)
        parts.append(
            sa.select(d.step_id, d.metric, d.seconds, sa.func.count().label("n"))
            .where(d.workspace_id == workspace_id, d.guide_key == guide, d.metric == metric,
                   d.step_id == step, *([d.seconds >= low] if low is not None else []),
                   *([d.seconds < high] if high is not None else []),
                   d.day.between(start, end))
            .group_by(d.step_id, d.metric, d.seconds))
    values = sa.union_all(*parts).subquery()
    return db.session.execute(sa.select(values).order_by(
        values.c.step_id, values.c.metric, values.c.seconds))


def _span(index: int) -> tuple[int | None, int | None]:
    """Seconds ``[low, high)`` of a bucket; None: no bound (bucket 0 holds any value below
    the first bound, a negative one too)."""
    return (BOUNDS[index - 1] if index else None), (BOUNDS[index] if index < len(BOUNDS)
                                                     else None)
