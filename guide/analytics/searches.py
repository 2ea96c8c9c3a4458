"""Help searches as the report counts them: read from the event log, rolled into
``analytics_search`` (docs/ANALYTICS.md, "Help searches").

A ``$help_search`` event is one table page (its ``props`` can be 16 KB), so the
report cannot read a quarter's searches from the log quickly. Each rollup batch
(``store.save``) also writes the searches among its events here: one narrow row
each, with the event time, the user, the query normalised (in Python: its
whitespace and lower case are the same on every database) and whether it found
nothing. The report reads these rows for its range and the searches above the
watermark (the tail) from the log. A search has no state to carry from one event
to the next, so rolled rows plus the tail are exactly the searches of the log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from guide.analytics.facts import MAX_LATE, EventRow, event_time
from guide.analytics.filters import among
from guide.extensions import db
from guide.models import AnalyticsSearch, Event

SEARCH = "$help_search"
# A normalised query is cut to this many characters (the column's size): queries that
# differ only beyond it count as one.
MAX_QUERY = 200


class Search(NamedTuple):
    event_id: int
    user_id: int | None
    at: datetime
    query: str
    zero: bool


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
    return query, is_text, sa.case((zero, True), else_=False)


def logged(workspace_id: int, *where: Any) -> list[Search]:
    """The workspace's searches with a text query in the event log, where ``where`` holds."""
    text, is_text, zero = _json_columns()
    found = []
    for id_, user_id, raw, empty, client_at, created_at in db.session.execute(
            sa.select(Event.id, Event.user_id, text, zero, Event.client_at, Event.created_at)
            .where(Event.workspace_id == workspace_id, Event.name == SEARCH,
                   Event.type == "event:track", is_text, *where)):
        query = normalized(raw)
        if query is not None:
            at = event_time(EventRow(id_, user_id, "", SEARCH, None, None, client_at,
                                     created_at))
            found.append(Search(id_, user_id, at, query, bool(empty)))
    return found


def tail(workspace_id: int, after: int, low: datetime, high: datetime,
         users: frozenset[int] | None) -> list[Search]:
    """The searches above ``after`` (not rolled yet) whose event time is in low..high, of
    ``users`` (None: everyone's); through the log's (workspace, name, time) index."""
    return [search for search in logged(
        workspace_id, Event.id > after, Event.created_at >= low,
        Event.created_at < high + MAX_LATE, among(Event.user_id, users))
        if low <= search.at < high]


_PG_SAVE = (
    "INSERT INTO analytics_search (workspace_id, event_id, user_id, at, query, zero) "
    "SELECT %(ws)s, * FROM unnest(CAST(%(e)s AS bigint[]), CAST(%(u)s AS integer[]), "
    "CAST(%(at)s AS timestamptz[]), CAST(%(q)s AS text[]), CAST(%(z)s AS boolean[])) "
    "ON CONFLICT DO NOTHING")


def roll(workspace_id: int, after: int, last: int) -> None:
    """Write the searches among events ``after + 1..last`` (a rollup batch's), in the
    caller's transaction. A few per batch: one statement, arrays on PostgreSQL."""
    found = logged(workspace_id, Event.id > after, Event.id <= last)
    if not found:
        return
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        columns = dict(zip(("e", "u", "at", "q", "z"), map(list, zip(*found, strict=True)),
                           strict=True))
        connection.exec_driver_sql(_PG_SAVE, {"ws": workspace_id, **columns})
        return
    connection.execute(sqlite.insert(AnalyticsSearch.__table__).on_conflict_do_nothing(), [
        {"workspace_id": workspace_id, **search._asdict()} for search in found])


def _rolled(workspace_id: int, low: datetime, high: datetime,
            users: frozenset[int] | None) -> tuple[Any, ...]:
    s = AnalyticsSearch
    return (s.workspace_id == workspace_id, s.at >= low, s.at < high, among(s.user_id, users))


def rolled_counts(workspace_id: int, low: datetime, high: datetime,
                  users: frozenset[int] | None) -> list[tuple[str, int, int]]:
    """(query, searches, zero-result searches) of the rolled searches in low..high."""
    s = AnalyticsSearch
    return [(query, count, zeros) for query, count, zeros in db.session.execute(
        sa.select(s.query, sa.func.count(), sa.func.count().filter(s.zero))
        .where(*_rolled(workspace_id, low, high, users)).group_by(s.query))]


def _who() -> Any:
    return sa.func.coalesce(AnalyticsSearch.user_id, 0)


def rolled_users(workspace_id: int, low: datetime, high: datetime,
                 users: frozenset[int] | None, queries: list[str]) -> dict[str, int]:
    """Distinct users (no user: one) per query of ``queries`` among the rolled searches;
    only those queries' rows are read (``ix_analytics_search_query``). COUNT(DISTINCT) over
    them took 115-137 ms at 290,000 searches (90 days), a hashed DISTINCT 155-200 ms."""
    s = AnalyticsSearch
    return dict((query, n) for query, n in db.session.execute(
        sa.select(s.query, sa.func.count(sa.distinct(_who())))
        .where(*_rolled(workspace_id, low, high, users), s.query.in_(queries))
        .group_by(s.query)))


def rolled_pairs(workspace_id: int, low: datetime, high: datetime,
                 pairs: set[tuple[str, int]]) -> set[tuple[str, int]]:
    """Which of these (query, user or 0) the rolled searches in low..high already hold."""
    if not pairs:
        return set()
    s = AnalyticsSearch
    return {(query, who) for query, who in db.session.execute(
        sa.select(s.query, _who()).distinct()
        .where(*_rolled(workspace_id, low, high, None),
               s.query.in_(sorted({q for q, _ in pairs})),
               _who().in_(sorted({u for _, u in pairs}))))} & pairs
