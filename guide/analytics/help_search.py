"""Help searches: what users look for, and what they look for in vain (docs/ANALYTICS.md).

The widget sends ``$help_search {query, results}`` once the user settles on a
query. Zero-result queries are the articles to write. Read from the event log
through its ``(workspace_id, name, created_at)`` index: searches are few next to
the views the rollups exist for, and the window of receipt times is bounded by
MAX_LATE (an event's time is never more than that before its receipt).

Counted in SQL, grouped by the query as typed, each search on the day of its
``event_time`` (``_inside``: computed by PostgreSQL; on SQLite, the searches
whose day the receipt and client times do not settle alike are read one by one
and placed in Python). Python normalises each distinct query (``str.split``, ``lower``:
the same on every backend) and adds up the groups that normalise alike; a ranked
query typed several ways has its distinct users counted by one more query over
those ways. No search's JSON is parsed in Python.
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


def _placed(base: tuple[Any, ...], low: datetime, high: datetime) -> list[int]:
    """The ids of the searches of ``base`` whose event time ``event_time`` puts in low..high."""
    return [id_ for id_, client_at, created_at in db.session.execute(
        sa.select(Event.id, Event.client_at, Event.created_at).where(*base))
        if low <= event_time(EventRow(id_, None, "", SEARCH, None, None, client_at,
                                      created_at)) < high]


def _ids(ids: list[int]) -> Any:
    return sa.bindparam("placed", ids, expanding=True, literal_execute=True, unique=True)


def _inside(base: tuple[Any, ...], low: datetime, high: datetime) -> Any:
    """SQL: the search's event time (``facts.event_time``) is in low..high.

    PostgreSQL computes the event time itself (exact: timestamps to the microsecond and
    MAX_LATE as seconds, never as calendar days in the session's zone), so the searches
    are read once. SQLite keeps its times as text, so there: a search received in the
    range with no client time or one in the range is in the range whichever of the two is
    its event time, and the rest of the receipt window is read and placed one by one."""
    client, received = Event.client_at, Event.created_at
    if db.session.get_bind().dialect.name == "postgresql":
        late = sa.func.make_interval(0, 0, 0, 0, 0, 0, int(MAX_LATE.total_seconds()))
        at = sa.case((sa.and_(client.is_not(None), client >= received - late,
                              client <= received), client), else_=received)
        return sa.and_(at >= low, at < high)
    sure = sa.and_(received < high, sa.or_(
        client.is_(None), sa.and_(client >= low, client < high)))
    placed = _placed((*base, sa.not_(sure)), low, high)
    return sa.or_(sure, Event.id.in_(_ids(placed))) if placed else sure


def help_search_report(workspace: Workspace, start: date, end: date, top: int = TOP,
                       filters: Filters | None = None) -> dict[str, Any]:
    """Searches on local days ``start..end``: the most searched and the zero-result queries.
    With ``filters``: only the searches of the users they match."""
    check_range(start, end)
    zone = ZoneInfo(workspace.timezone)
    low, high = midnight(start, zone), midnight(end + timedelta(days=1), zone)
    matched = filters.user_ids(workspace) if filters else None
    text, is_text, zero = _json_columns()
    base = (Event.workspace_id == workspace.id, Event.name == SEARCH,
            Event.type == "event:track", Event.created_at >= low,
            Event.created_at < high + MAX_LATE, is_text, among(Event.user_id, matched))
    inside = _inside(base, low, high)
    who = sa.func.count(sa.distinct(sa.func.coalesce(Event.user_id, 0)))
    searches: Counter[str] = Counter()
    empty: Counter[str] = Counter()
    typed: dict[str, list[str]] = {}
    distinct: dict[str, int] = {}
    for raw, count, zeros, people in db.session.execute(
            sa.select(text, sa.func.count(), sa.func.sum(zero), who)
            .where(*base, inside).group_by(text)):
        query = normalized(raw)
        if query is None:
            continue
        searches[query] += count
        if zeros:
            empty[query] += zeros
        typed.setdefault(query, []).append(raw)
        distinct[raw] = people

    def ranked_keys(counts: Counter[str]) -> list[str]:
        """Most first (ties by query)."""
        return sorted(counts, key=lambda q: (-counts[q], q))[:top]

    tops, zeros_first = ranked_keys(searches), ranked_keys(empty)
    users = {q: distinct[typed[q][0]] for q in {*tops, *zeros_first} if len(typed[q]) == 1}
    merged = {raw: q for q in {*tops, *zeros_first} if len(typed[q]) > 1 for raw in typed[q]}
    if merged:
        # Queries typed several ways: their distinct users counted over all the ways at once.
        keys = sorted(set(merged.values()))
        key = sa.case({raw: keys.index(q) for raw, q in merged.items()}, value=text)
        users.update((keys[k], people) for k, people in db.session.execute(
            sa.select(key, who).where(*base, inside, text.in_(sorted(merged))).group_by(key)))
    db.session.rollback()

    def ranked(order: list[str]) -> list[dict[str, Any]]:
        return [{"query": q, "searches": searches[q], "users": users[q],
                 "zero_results": empty[q]} for q in order]

    report = {"timezone": workspace.timezone, "start": start.isoformat(), "end": end.isoformat(),
              "searches": sum(searches.values()), "zero_result_searches": sum(empty.values()),
              "top_queries": ranked(tops), "zero_result_queries": ranked(zeros_first)}
    return filters.tagged(report, matched) if filters else report
