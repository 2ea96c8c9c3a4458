"""Help searches: what users look for, and what they look for in vain (docs/ANALYTICS.md).

The widget sends ``$help_search {query, results}`` once the user settles on a
query. Zero-result queries are the articles to write. ``help_search_report``
reads the rolled searches of its range (``analytics_search``, written by the
rollup batches: ``searches``) and the searches above the watermark (the tail)
from the event log, against one watermark (``store.consistent``). SQL groups the
rolled searches by their normalised query; the tail's few are added in Python.
Distinct users are counted only for the ranked queries: in SQL over the rolled
searches, plus the tail's users the rolled searches of that query lack.
``raw_help_search_report`` counts every search of the log (the tests' oracle).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from guide.analytics import searches as log
from guide.analytics import store
from guide.analytics.filters import Filters
from guide.analytics.ranges import check_range, midnight
from guide.extensions import db
from guide.models import Event, Workspace

# Queries listed in each ranking.
TOP = 20


class Counts:
    """Searches, zero-result searches and distinct users per normalised query."""

    def __init__(self) -> None:
        self.searches: Counter[str] = Counter()
        self.empty: Counter[str] = Counter()
        self.users: dict[str, int] = {}

    def add(self, query: str, count: int, zeros: int) -> None:
        self.searches[query] += count
        if zeros:
            self.empty[query] += zeros

    def ranked(self, top: int) -> tuple[list[str], list[str]]:
        """The most searched, and the most searched in vain (ties by query)."""
        return _first(self.searches, top), _first(self.empty, top)


def _first(counts: Counter[str], top: int) -> list[str]:
    return sorted(counts, key=lambda q: (-counts[q], q))[:top]


def help_search_report(workspace: Workspace, start: date, end: date, top: int = TOP,
                       filters: Filters | None = None) -> dict[str, Any]:
    """Searches on local days ``start..end``: the most searched and the zero-result queries.
    With ``filters``: only the searches of the users they match."""
    check_range(start, end)
    zone = ZoneInfo(workspace.timezone)
    low, high = midnight(start, zone), midnight(end + timedelta(days=1), zone)
    matched = filters.user_ids(workspace) if filters else None

    def read(after: int) -> Counts:
        counts = Counts()
        for query, count, zeros in log.rolled_counts(workspace.id, low, high, matched):
            counts.add(query, count, zeros)
        tail = log.tail(workspace.id, after, low, high, matched)
        for search in tail:
            counts.add(search.query, 1, int(search.zero))
        ranked = sorted(set().union(*counts.ranked(top)))
        counts.users = dict.fromkeys(ranked, 0)
        counts.users.update(log.rolled_users(workspace.id, low, high, matched, ranked))
        pairs = {(s.query, s.user_id or 0) for s in tail if s.query in counts.users}
        for query, _ in pairs - log.rolled_pairs(workspace.id, low, high, pairs):
            counts.users[query] += 1
        return counts

    return _shaped(workspace, start, end, top, store.consistent(workspace.id, read),
                   filters, matched)


def raw_help_search_report(workspace: Workspace, start: date, end: date, top: int = TOP,
                           filters: Filters | None = None) -> dict[str, Any]:
    """The same report from every search in the event log (slow: the oracle)."""
    check_range(start, end)
    zone = ZoneInfo(workspace.timezone)
    low, high = midnight(start, zone), midnight(end + timedelta(days=1), zone)
    matched = filters.user_ids(workspace) if filters else None
    found = [s for s in log.logged(workspace.id, Event.id > 0)
                           if low <= s.at < high and (matched is None or s.user_id in matched)]
    db.session.rollback()
    counts, people = Counts(), {}
    for search in found:
        counts.add(search.query, 1, int(search.zero))
        people.setdefault(search.query, set()).add(search.user_id or 0)
    counts.users = {query: len(who) for query, who in people.items()}
    return _shaped(workspace, start, end, top, counts, filters, matched)


def _shaped(workspace: Workspace, start: date, end: date, top: int, counts: Counts,
            filters: Filters | None, matched: frozenset[int] | None) -> dict[str, Any]:
    tops, zeros_first = counts.ranked(top)

    def ranked(order: list[str]) -> list[dict[str, Any]]:
        return [{"query": q, "searches": counts.searches[q], "users": counts.users[q],
                 "zero_results": counts.empty[q]} for q in order]

    report = {"timezone": workspace.timezone, "start": start.isoformat(), "end": end.isoformat(),
              "searches": sum(counts.searches.values()),
              "zero_result_searches": sum(counts.empty.values()),
              "top_queries": ranked(tops), "zero_result_queries": ranked(zeros_first)}
    return filters.tagged(report, matched) if filters else report
