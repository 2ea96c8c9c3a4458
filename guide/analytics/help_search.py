"""Help searches: what users look for, and what they look for in vain (docs/ANALYTICS.md).

The widget sends ``$help_search {query, results}`` once the user settles on a
query. Zero-result queries are the articles to write. Read from the event log
through its ``(workspace_id, name, created_at)`` index: searches are few next to
the views the rollups exist for, and the window of receipt times is bounded by
MAX_LATE (an event's time is never more than that before its receipt).

Counted in SQL, grouped by the query as typed and the user: a search received in
the range whose client time is missing or in the range is in the range whatever
its event time (``event_time`` picks one of the two). The others (received late,
or a client clock off the range) are read one by one and placed by ``event_time``.
Python then normalises each distinct query and merges the groups that meet, so
the normalisation is Python's ``str.split``/``lower`` on every backend.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from guide.analytics.facts import MAX_LATE, EventRow, event_time
from guide.analytics.filters import Filters, among
from guide.analytics.ranges import check_range, midnight
from guide.extensions import db
from guide.models import Event, Workspace

SEARCH = "$help_search"
# Queries listed in each ranking.
TOP = 20
MAX_QUERY = 200


def normalized(query: Any) -> str | None:
    """The query as counted: trimmed, spaces collapsed, lower case; None when empty."""
    if not isinstance(query, str):
        return None
    text = " ".join(query.split()).lower()[:MAX_QUERY]
    return text or None


def _json_columns() -> tuple[Any, Any, Any]:
    """SQL: the query as text, whether it is a JSON string, whether results is the integer 0
    (not 0.0, not false, not "0")."""
    query = Event.props["query"].as_string()
    if db.session.get_bind().dialect.name == "postgresql":
        kind = sa.func.jsonb_typeof
        is_text = kind(Event.props["query"]) == "string"
        zero = sa.and_(kind(Event.props["results"]) == "number",
                       Event.props["results"].as_string() == "0")
    else:
        is_text = sa.func.json_type(Event.props, "$.query") == "text"
        zero = sa.and_(sa.func.json_type(Event.props, "$.results") == "integer",
                       sa.func.json_extract(Event.props, "$.results") == 0)
    return query, is_text, sa.case((zero, 1), else_=0)


def _groups(workspace: Workspace, low: datetime, high: datetime,
            users: frozenset[int] | None) -> list[tuple[str, int, int, int]]:
    """(query as typed, user or 0, searches, zero-result searches) on event times low..high."""
    query, is_text, zero = _json_columns()
    base = (Event.workspace_id == workspace.id, Event.name == SEARCH,
            Event.type == "event:track", Event.created_at >= low,
            Event.created_at < high + MAX_LATE, is_text, among(Event.user_id, users))
    sure = sa.and_(Event.created_at < high, sa.or_(
        Event.client_at.is_(None), sa.and_(Event.client_at >= low, Event.client_at < high)))
    found = [(text, user or 0, count, empty) for text, user, count, empty in db.session.execute(
        sa.select(query, Event.user_id, sa.func.count(), sa.func.sum(zero))
        .where(*base, sure).group_by(query, Event.user_id))]
    for text, user, empty, client_at, created_at in db.session.execute(
            sa.select(query, Event.user_id, zero, Event.client_at, Event.created_at)
            .where(*base, sa.not_(sure))):
        row = EventRow(0, user, "event:track", SEARCH, None, None, client_at, created_at)
        if low <= event_time(row) < high:
            found.append((text, user or 0, 1, empty))
    return found


def help_search_report(workspace: Workspace, start: date, end: date, top: int = TOP,
                       filters: Filters | None = None) -> dict[str, Any]:
    """Searches on local days ``start..end``: the most searched and the zero-result queries.
    With ``filters``: only the searches of the users they match."""
    check_range(start, end)
    zone = ZoneInfo(workspace.timezone)
    low, high = midnight(start, zone), midnight(end + timedelta(days=1), zone)
    matched = filters.user_ids(workspace) if filters else None
    searches: Counter[str] = Counter()
    empty: Counter[str] = Counter()
    users: dict[str, set[int]] = {}
    seen: dict[str, str | None] = {}
    for text, user, count, zeros in _groups(workspace, low, high, matched):
        if text not in seen:
            seen[text] = normalized(text)
        query = seen[text]
        if query is None:
            continue
        searches[query] += count
        users.setdefault(query, set()).add(user)
        if zeros:
            empty[query] += zeros
    db.session.rollback()

    def ranked(counts: Counter[str]) -> list[dict[str, Any]]:
        """Most first (ties by query); the zero-result list ranks by searches that found nothing."""
        order = sorted(counts, key=lambda q: (-counts[q], q))[:top]
        return [{"query": q, "searches": searches[q], "users": len(users[q]),
                 "zero_results": empty[q]} for q in order]

    report = {"timezone": workspace.timezone, "start": start.isoformat(), "end": end.isoformat(),
              "searches": sum(searches.values()), "zero_result_searches": sum(empty.values()),
              "top_queries": ranked(searches), "zero_result_queries": ranked(empty)}
    return filters.tagged(report, matched) if filters else report
