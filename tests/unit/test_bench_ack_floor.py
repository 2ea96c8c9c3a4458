"""The ack floor (bench/ack_sql.py) stays the statements Guide's ``step:complete`` runs."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from bench import ack_sql
from guide.extensions import db
from tests import factories

STEP = {"guide": "getting-started", "step": "welcome"}


def emitted(sock) -> list[str]:
    """What SQLAlchemy sends (and commits) for one ``step:complete``."""
    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        seen.append(statement)

    def commit(conn):
        seen.append("COMMIT")

    sa.event.listen(db.engine, "before_cursor_execute", record)
    sa.event.listen(db.engine, "commit", commit)
    try:
        ack = sock.emit("step:complete", {"id": str(uuid.uuid4()), **STEP},
                        namespace="/widget", callback=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
        sa.event.remove(db.engine, "commit", commit)
    assert ack["ok"], ack
    return seen


def test_the_floor_runs_the_statements_of_a_repeated_step_complete(
        client, workspace, socket_client):
    sock = socket_client(factories.socket_token(client, workspace, "ack-floor-1"))
    emitted(sock)  # the user's first completion also creates the progress row
    guide = [ack_sql.shape(s) for s in emitted(sock)]
    floor = [ack_sql.shape(s) for s in ack_sql.for_dialect(db.engine.dialect.name)]
    assert guide == floor


def test_the_pgbench_script_holds_every_statement_once():
    script = ack_sql.pgbench_script()
    for sql in ack_sql.STATEMENTS:
        assert script.count(sql) == 1, sql
    assert script.count("BEGIN;") == 1
