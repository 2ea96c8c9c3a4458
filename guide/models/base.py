"""Column types and helpers shared by every model."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from guide.config import sqlite_synchronous

# JSON documents: JSONB on PostgreSQL (indexable), JSON text on SQLite.
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")
# 64-bit keys on PostgreSQL; SQLite only autoincrements a plain INTEGER key.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC datetimes")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def isoformat(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# Seconds a transaction waits for SQLite's write lock before "database is locked".
SQLITE_BUSY_SECONDS = 15


def body_checksum(body: dict[str, Any]) -> str:
    """sha256 of the canonical JSON body: equal content, equal checksum, whatever the key order."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy say when transactions begin (see _sqlite_on_begin): the
    # driver's own handling starts them only at the first write, so a
    # read-modify-write could read outside its transaction and lose an update.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.execute(f"PRAGMA synchronous={sqlite_synchronous()}")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    """BEGIN IMMEDIATE: take SQLite's one write lock when the transaction starts.

    Every envelope reads progress and then writes it; with the lock taken up
    front, two tabs completing steps at once queue up instead of one
    overwriting the other's change or failing on a stale snapshot.

    They queue on a lock of this process first (``_writer_lock``), then on
    SQLite's own (busy_timeout), which only another process can be holding.
    """
    if connection.dialect.name != "sqlite":
        return
    lock = _writer_lock(connection.engine.url.database or "")
    if not lock.acquire(timeout=SQLITE_BUSY_SECONDS):
        raise sa.exc.OperationalError(
            "BEGIN IMMEDIATE", None,
            Exception(f"database is locked: no write turn within {SQLITE_BUSY_SECONDS}s"))
    connection.info["guide_writer"] = lock
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _sqlite_on_end(connection)
        raise


def _sqlite_on_end(connection: Any) -> None:
    """The transaction commits or rolls back: the next writer's turn."""
    lock = connection.info.pop("guide_writer", None)
    if lock is not None:
        lock.release()


def _sqlite_on_checkin(_dbapi_connection: Any, record: Any) -> None:
    """A connection back in the pool holds no turn (ended without commit or rollback)."""
    lock = record.info.pop("guide_writer", None) if record is not None else None
    if lock is not None:
        lock.release()


_writers: dict[str, Any] = {}
_writers_pid: list[int] = []


def _writer_lock(database: str) -> Any:
    """One write turn per database file and process, taken for each SQLite transaction.

    SQLite's own wait for its write lock (the busy handler) sleeps in C: under
    gevent that stalls every connection of the process until the holder commits,
    and the holder, a greenlet of the same process, cannot run to commit. This
    lock waits the gevent way (``threading`` is monkey-patched in a gevent
    worker), so a second writer yields to the loop until the first is done.
    Created on first use in each process, after gevent's patching and any fork.
    """
    if _writers_pid != [os.getpid()]:
        _writers.clear()
        _writers_pid[:] = [os.getpid()]
    lock = _writers.get(database)
    if lock is None:
        import threading

        lock = _writers.setdefault(database, threading.Lock())
    return lock


def install_sqlite_pragmas(app: Any) -> None:
    """WAL, foreign keys, a busy timeout and the durability level on every SQLite connection.

    WAL lets readers work while one writer commits; foreign keys are off by
    default in SQLite.
    """
    if not sa.event.contains(sa.engine.Engine, "connect", _sqlite_on_connect):
        sa.event.listen(sa.engine.Engine, "connect", _sqlite_on_connect)
        sa.event.listen(sa.engine.Engine, "begin", _sqlite_on_begin)
        sa.event.listen(sa.engine.Engine, "commit", _sqlite_on_end)
        sa.event.listen(sa.engine.Engine, "rollback", _sqlite_on_end)
        sa.event.listen(sa.pool.Pool, "checkin", _sqlite_on_checkin)
