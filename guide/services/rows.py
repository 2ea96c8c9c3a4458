"""Get-or-create that holds when two requests create the same row at once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from guide.extensions import db

T = TypeVar("T")

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def get_or_create(
    stmt: Any, make: Callable[[], T], params: Mapping[str, Any] | None = None
) -> tuple[T, bool]:
    """The row ``stmt`` selects (with ``params`` for its bind parameters), or a new
    one from ``make()``; True when created here.

    If a concurrent request (another tab) inserted the same unique row first,
    ours is dropped and theirs is returned. On PostgreSQL and SQLite that is one
    ``INSERT ... ON CONFLICT DO NOTHING RETURNING``; elsewhere the insert runs
    in a savepoint (three round trips instead of one).
    """
    row = db.session.scalars(stmt, params).first()
    if row is not None:
        return row, False
    new = make()
    insert = _insert_ignoring_conflicts(new)
    if insert is not None:
        created = db.session.scalars(insert).first()
        if created is not None:
            return created, True
        return db.session.scalars(stmt, params).one(), False
    try:
        with db.session.begin_nested():
            db.session.add(new)
    except IntegrityError:
        return db.session.scalars(stmt, params).one(), False
    return new, True


def _insert_ignoring_conflicts(obj: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING RETURNING`` of ``obj``'s values, returning the
    ORM object (persistent in the session), or None where the database cannot."""
    dialect = db.session.get_bind().dialect
    insert = _INSERTS.get(dialect.name)
    if insert is None or not dialect.insert_returning:
        return None
    state = sa.inspect(obj)
    columns = state.mapper.column_attrs.keys()
    values = {key: value for key, value in state.dict.items() if key in columns}
    model = state.mapper.class_
    return insert(model).values(**values).on_conflict_do_nothing().returning(model)


def insert_ignoring_conflicts(model: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` into ``model``'s table (execute it with a list
    of rows), or None where the database has no such statement."""
    insert = _INSERTS.get(db.session.get_bind().dialect.name)
    return None if insert is None else insert(model).on_conflict_do_nothing()
