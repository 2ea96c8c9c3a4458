"""Get-or-create that holds when two requests create the same row at once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from guide.extensions import db

T = TypeVar("T")


def get_or_create(
    stmt: Any, make: Callable[[], T], params: Mapping[str, Any] | None = None
) -> tuple[T, bool]:
    """The row ``stmt`` selects (with ``params`` for its bind parameters), or a new
    one from ``make()``; True when created here.

    The insert runs in a savepoint: if a concurrent request (another tab)
    inserted the same unique row first, ours rolls back and theirs is returned.
    """
    row = db.session.scalars(stmt, params).first()
    if row is not None:
        return row, False
    try:
        with db.session.begin_nested():
            row = make()
            db.session.add(row)
    except IntegrityError:
        return db.session.scalars(stmt, params).one(), False
    return row, True
