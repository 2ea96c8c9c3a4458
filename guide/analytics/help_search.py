"""Help searches: what users look for, and what they look for in vain (docs/ANALYTICS.md).

The widget sends ``$help_search {query, results}`` once the user settles on a
query. Zero-result queries are the articles to write. Read from the event log
through its ``(workspace_id, name, created_at)`` index: searches are few next to
the views the rollups exist for, and the window of receipt times is bounded by
MAX_LATE (an event's time is never more than that before its receipt).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from guide.analytics.facts import MAX_LATE, EventRow, event_time
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


def help_search_report(workspace: Workspace, start: date, end: date,
                       top: int = TOP) -> dict[str, Any]:
    """Searches on local days ``start..end``: the most searched and the zero-result queries."""
    check_range(start, end)
    zone = ZoneInfo(workspace.timezone)
    low, high = midnight(start, zone), midnight(end + timedelta(days=1), zone)
    rows = db.session.execute(
        sa.select(Event.id, Event.user_id, Event.type, Event.name, Event.props, Event.result,
                  Event.client_at, Event.created_at)
        .where(Event.workspace_id == workspace.id, Event.name == SEARCH,
               Event.type == "event:track", Event.created_at >= low,
               Event.created_at < high + MAX_LATE))
    searches: Counter[str] = Counter()
    empty: Counter[str] = Counter()
    users: dict[str, set[int]] = {}
    for row in (EventRow(*r) for r in rows):
        props = row.props if isinstance(row.props, dict) else {}
        query = normalized(props.get("query"))
        if query is None or not low <= event_time(row) < high:
            continue
        searches[query] += 1
        users.setdefault(query, set()).add(row.user_id or 0)
        results = props.get("results")
        if type(results) is int and results == 0:  # not False, not a string
            empty[query] += 1
    db.session.rollback()

    def ranked(counts: Counter[str]) -> list[dict[str, Any]]:
        """Most first (ties by query); the zero-result list ranks by searches that found nothing."""
        order = sorted(counts, key=lambda q: (-counts[q], q))[:top]
        return [{"query": q, "searches": searches[q], "users": len(users[q]),
                 "zero_results": empty[q]} for q in order]

    return {"timezone": workspace.timezone, "start": start.isoformat(), "end": end.isoformat(),
            "searches": sum(searches.values()), "zero_result_searches": sum(empty.values()),
            "top_queries": ranked(searches), "zero_result_queries": ranked(empty)}
