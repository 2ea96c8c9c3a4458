"""Facts added up: what the rollup tables store, and what a report reads back from them."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from guide.analytics.facts import DURATION_ONLY, Fact

# (guide, step, metric, day)
CountKey = tuple[str, str, str, date]
# (guide, step, metric, event id)
DurationKey = tuple[str, str, str, int]
# (metric, user id, event time, day)
Moment = tuple[str, int, datetime, date]


@dataclass
class Tally:
    """Facts in the shape of the rollup tables (``guide.models.analytics``)."""

    counts: Counter[CountKey] = field(default_factory=Counter)
    # (guide, step, metric, day, user id): the user did it that day.
    users: set[tuple[str, str, str, date, int]] = field(default_factory=set)
    durations: dict[DurationKey, tuple[date, float]] = field(default_factory=dict)
    # event id -> (metric, user id, event time, day): help openings and escalations.
    moments: dict[int, Moment] = field(default_factory=dict)

    def add(self, fact: Fact) -> None:
        event_id, day, guide, step, metric, user_id, seconds, at = fact
        if metric not in DURATION_ONLY:
            self.counts[(guide, step, metric, day)] += 1
            self.users.add((guide, step, metric, day, user_id))
        if seconds is not None:
            self.durations[(guide, step, metric, event_id)] = (day, seconds)
        if at is not None:
            self.moments[event_id] = (metric, user_id, at, day)

    def extend(self, facts: Iterable[Fact]) -> None:
        for fact in facts:
            self.add(fact)


# The shares a report's timings give (median, p90), as fractions for SQL's integer bounds.
SHARES = ((1, 2), (9, 10))


@dataclass
class Ranked:
    """A key's rolled durations, by rank (nearest rank is computed in the database): how
    many there are and the values at the ranks around each of SHARES (1 = the smallest)."""

    count: int = 0
    at: dict[int, float] = field(default_factory=dict)

    def percentile(self, extra: list[float], share: float) -> float | None:
        """``percentile`` of these durations plus ``extra`` (the tail's few).

        The k-th smallest of both: every rolled value ranked below k - len(extra) is
        among the first k - 1 of both, every one ranked above k is after the k-th, so it
        is found among the rolled ranks in between and ``extra``."""
        total, tail = self.count + len(extra), len(extra)
        if not total:
            return None
        k = max(1, math.ceil(share * total))
        low = max(1, k - tail)
        window = [self.at[rank] for rank in range(low, min(k, self.count) + 1)]
        return sorted(window + extra)[k - low]


@dataclass
class Numbers:
    """One guide's numbers over a range of days, keyed by (step, metric)."""

    # (step, metric, day) -> how many times
    counts: Counter[tuple[str, str, date]] = field(default_factory=Counter)
    # (step, metric) -> distinct users over the whole range
    uniques: Counter[tuple[str, str]] = field(default_factory=Counter)
    # (step, metric) -> every duration measured in the range
    durations: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    # (step, metric) -> the rolled durations by rank (the rollups' path; ``durations``
    # then holds only the tail's)
    ranked: dict[tuple[str, str], Ranked] = field(default_factory=dict)

    def timing(self, step: str, metric: str) -> dict[str, Any]:
        """How many durations, their median and p90 (nearest rank)."""
        values = self.durations.get((step, metric), [])
        ranked = self.ranked.get((step, metric))
        if ranked is None:
            return {"count": len(values), "median": percentile(values, 0.5),
                    "p90": percentile(values, 0.9)}
        return {"count": ranked.count + len(values), "median": ranked.percentile(values, 0.5),
                "p90": ranked.percentile(values, 0.9)}

    def total(self, metric: str, step: str) -> int:
        return sum(n for (s, m, _), n in self.counts.items() if s == step and m == metric)

    def by_day(self, metric: str, step: str, day: date) -> int:
        return self.counts.get((step, metric, day), 0)


def numbers_of(tally: Tally, guide: str, start: date, end: date) -> Numbers:
    """The part of a tally about ``guide`` on days ``start..end`` (the raw computation's path)."""
    numbers = Numbers()
    for (g, step, metric, day), n in tally.counts.items():
        if g == guide and start <= day <= end:
            numbers.counts[(step, metric, day)] += n
    seen: set[tuple[str, str, int]] = set()
    for g, step, metric, day, user in tally.users:
        if g == guide and start <= day <= end and (step, metric, user) not in seen:
            seen.add((step, metric, user))
            numbers.uniques[(step, metric)] += 1
    for (g, step, metric, _), (day, seconds) in tally.durations.items():
        if g == guide and start <= day <= end:
            numbers.durations.setdefault((step, metric), []).append(seconds)
    return numbers


def user_day_numbers(user_days: set[tuple[str, str, date, int]],
                     durations: dict[tuple[str, str], list[float]]) -> Numbers:
    """A filtered report's numbers: each (step, metric, day, user) counts once, so a
    metric's total is its user-days (the day counts name no user; docs/ANALYTICS.md)."""
    numbers = Numbers(durations=durations)
    for step, metric, day, _ in user_days:
        numbers.counts[(step, metric, day)] += 1
    numbers.uniques.update(
        (step, metric) for step, metric, _ in {(s, m, u) for s, m, _, u in user_days})
    return numbers


def tally_user_days(tally: Tally, guide: str, start: date,
                    end: date) -> tuple[set[tuple[str, str, date, int]],
                                        dict[tuple[str, str], list[float]]]:
    """A tally's (step, metric, day, user) and durations about ``guide`` on ``start..end``."""
    days = {(s, m, d, u) for g, s, m, d, u in tally.users if g == guide and start <= d <= end}
    durations: dict[tuple[str, str], list[float]] = {}
    for (g, step, metric, _), (day, seconds) in tally.durations.items():
        if g == guide and start <= day <= end:
            durations.setdefault((step, metric), []).append(seconds)
    return days, durations


def percentile(values: list[float], share: float) -> float | None:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]
