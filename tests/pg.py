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
    admin = _engine(PG_URL)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def truncate_all(url: str) -> None:
    """Empty every table (but the migration marker) between tests."""
    engine = _engine(url)
    with engine.connect() as conn:
        tables = conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )).scalars().all()
        if tables:
            names = ", ".join(f'"{t}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
