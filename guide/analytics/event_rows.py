"""The event log as the fold reads it: a workspace's events in id order, a page at a time.

Only what ``Folder.fold`` reads leaves the database. Of ``props``, the four
fields it looks at, and only when they are JSON strings (``_key`` and the state
comparisons ignore anything else): ``guide``, ``step``, ``state`` and ``article``
(a help opening's: "Stuck?"), as text columns, so no JSON is decoded for them.
``result`` only when it lists completed steps (``Folder._steps_done`` does nothing
with the others). Decoding every ``props`` and ``result`` was a third of a rollup
batch's time in Python.

On PostgreSQL the rows are read on the session's driver connection (in its
transaction): SQLAlchemy's result rows cost as much again as psycopg's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from guide.analytics.facts import EventRow
from guide.extensions import db
from guide.models import Event

PAGE = 5000
PROPS = ("guide", "step", "state", "article")


def _sqlite_string(path: str) -> Any:
    return sa.case((sa.func.json_type(Event.props, f"$.{path}") == "text",
                    sa.func.json_extract(Event.props, f"$.{path}")), else_=sa.null())


# PostgreSQL: CASE, not AND, guards jsonb_array_length (an error on anything but an array).
_PG = ("SELECT id, user_id, type, name, " + "".join(
    f"CASE WHEN jsonb_typeof(props -> '{path}') = 'string' THEN props ->> '{path}' END, "
    for path in PROPS) +
    "CASE WHEN jsonb_typeof(result -> 'completed') = 'array' THEN CASE WHEN "
    "jsonb_array_length(result -> 'completed') > 0 THEN result END END, client_at, created_at "
    "FROM event WHERE workspace_id = %(workspace_id)s AND id > %(after)s ORDER BY id "
    "LIMIT %(limit)s")
# SQLite: the result as text (decoded below), the times through the column types.
_SQLITE = (sa.select(Event.id, Event.user_id, Event.type, Event.name,
                     *(_sqlite_string(path).label(path) for path in PROPS),
                     sa.case((sa.and_(sa.func.json_type(Event.result, "$.completed") == "array",
                                      sa.func.json_array_length(Event.result, "$.completed") > 0),
                              sa.cast(Event.result, sa.Text)), else_=sa.null()).label("result"),
                     Event.client_at, Event.created_at)
           .where(Event.workspace_id == sa.bindparam("workspace_id"),
                  Event.id > sa.bindparam("after"))
           .order_by(Event.id).limit(sa.bindparam("limit")))


def _row(id_: int, user_id: int | None, type_: str, name: str, guide: str | None,
         step: str | None, state: str | None, article: str | None, result: Any,
         client_at: Any, created_at: Any) -> EventRow:
    props = None if guide is None and step is None and state is None else {
        "guide": guide, "step": step, "state": state, "article": article}
    if isinstance(result, str):
        result = json.loads(result)
    return EventRow(id_, user_id, type_, name, props, result, client_at, created_at)


def events_after(workspace_id: int, after: int, limit: int) -> list[EventRow]:
    """Up to ``limit`` events of the workspace with an id above ``after``, in id order."""
    params = {"workspace_id": workspace_id, "after": after, "limit": limit}
    connection = db.session.connection()
    rows = (driver_rows(_PG, params) if connection.dialect.name == "postgresql"
            else connection.execute(_SQLITE, params).all())
    return [_row(*row) for row in rows]


def driver_rows(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Rows of a query on the session's psycopg connection, in its transaction."""
    with db.session.connection().connection.dbapi_connection.cursor() as cursor:
        return cursor.execute(sql, params).fetchall()


def all_events_after(workspace_id: int, after: int) -> Iterator[EventRow]:
    """Every event above ``after``, a page at a time (the tail, the raw computation)."""
    while True:
        page = events_after(workspace_id, after, PAGE)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].id
