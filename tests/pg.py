"""PostgreSQL for the suite: a throwaway database per session next to GUIDE_TEST_DATABASE_URL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import make_url

PG_URL = os.environ.get("GUIDE_TEST_DATABASE_URL") or None


def _engine(url: str) -> sa.Engine:
    from guide.config import normalize_database_url

    return sa.create_engine(normalize_database_url(url), isolation_level="AUTOCOMMIT")


@contextmanager
def temporary_database(label: str) -> Iterator[str]:
    """CREATE DATABASE guide_test_<label>_<random>; dropped afterwards.

    Fails loudly when the server is unreachable: a suite asked to run on
    PostgreSQL must not pass silently on nothing.
    """
    assert PG_URL, "GUIDE_TEST_DATABASE_URL is not set"
    name = f"guide_test_{label}_{uuid.uuid4().hex[:8]}"
    _as_admin(f'CREATE DATABASE "{name}"')
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        forget_engine(url)
        drop_database(name)


_RESET_ENGINES: dict[str, sa.Engine] = {}
_TABLES: dict[str, list[str]] = {}


def truncate_all(url: str) -> None:
    """Empty every table (but the migration marker) between tests, and restart its ids.

    A test writes to a handful of the schema's tables: one probe finds those holding
    rows, they are emptied with DELETE (foreign-key triggers off for the transaction,
    so order does not matter) and every sequence that was drawn from restarts. A
    TRUNCATE of the whole schema cost 0.3-1 s per test (new files for every table).
    """
    engine = _RESET_ENGINES.get(url)
    if engine is None:
        engine = _RESET_ENGINES[url] = _engine(url)
    with engine.connect() as conn:
        tables = _TABLES.get(url)
        if tables is None:
            tables = _TABLES[url] = list(conn.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version' ORDER BY tablename"
            )).scalars())
        probe = " UNION ALL ".join(
            f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM \"{table}\")" for table in tables)
        full = list(conn.execute(sa.text(probe)).scalars()) if tables else []
        drawn = list(conn.execute(sa.text(
            "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences "
            "WHERE last_value IS NOT NULL")).scalars())
        if not full and not drawn:
            return
        # One round trip, one commit: the connection is in autocommit, so the block
        # spells out its own transaction (SET LOCAL lasts until its COMMIT).
        statements = ["BEGIN", "SET LOCAL session_replication_role = replica"]
        statements += [f'DELETE FROM "{table}"' for table in full]
        statements += [f"ALTER SEQUENCE {sequence} RESTART" for sequence in drawn]
        conn.exec_driver_sql("; ".join([*statements, "COMMIT"]))


def forget_engine(url: str) -> None:
    """Close the pooled connection ``truncate_all`` keeps for ``url`` (before DROP DATABASE)."""
    engine = _RESET_ENGINES.pop(url, None)
    _TABLES.pop(url, None)
    if engine is not None:
        engine.dispose()


def copy_database(source: str, target: str) -> None:
    """Make ``target`` (a database of this server) a copy of ``source``, which nobody may be
    connected to: CREATE DATABASE ... TEMPLATE, a file copy, far cheaper than migrating."""
    _as_admin(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)',
              f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def drop_database(name: str) -> None:
    _as_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _as_admin(*statements: str) -> None:
    """Statements on the server's maintenance connection (GUIDE_TEST_DATABASE_URL)."""
    admin = _engine(PG_URL)
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
    finally:
        admin.dispose()
