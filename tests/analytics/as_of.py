"""Rows written into a database at an older revision, for tests of a migration's backfill.

The models have the columns of every migration, so an ORM or Core insert through them
names columns an older schema lacks. ``insert_as_of`` writes only the columns the
database has now, with the models' types and Python defaults for the ones not given.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from guide.extensions import db


def insert_as_of(model: Any, **values: Any) -> int:
    """Insert a row of ``model``'s table as the database has it now; returns its id."""
    conn = db.session.connection()
    present = {c["name"] for c in sa.inspect(conn).get_columns(model.__tablename__)}
    columns = [c for c in model.__table__.columns if c.name in present]
    row = dict(values)
    for column in columns:
        default = column.default
        if column.name in row or column.primary_key or default is None:
            continue
        row[column.name] = default.arg(None) if default.is_callable else default.arg
    table = sa.table(model.__tablename__, *(sa.column(c.name, c.type) for c in columns))
    return db.session.execute(sa.insert(table).values(**row)
                              .returning(table.c.id)).scalar_one()
