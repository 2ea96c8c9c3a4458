"""The ack floor (bench/ack_sql.py) stays the statements Guide's ``step:complete`` runs."""

from __future__ import annotations

import re
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


def test_under_group_commit_each_envelope_adds_a_savepoint_and_shares_the_commit(
        client, workspace, socket_client):
    from guide.models import EndUser
    from guide.realtime import group_commit

    sock = socket_client(factories.socket_token(client, workspace, "ack-floor-2"))
    emitted(sock)  # the progress row exists: the repeated completion, as the floor
    user = db.session.scalars(sa.select(EndUser).filter_by(external_id="ack-floor-2")).one()
    batch = [group_commit.Item(user.id, workspace.id, None, None, "step:complete",
                               {"id": str(uuid.uuid4()), **STEP}) for _ in range(3)]
    db.session.remove()
    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        seen.append(ack_sql.shape(statement))

    def commit(conn):
        seen.append("COMMIT")

    sa.event.listen(db.engine, "before_cursor_execute", record)
    sa.event.listen(db.engine, "commit", commit)
    try:
        group_commit.commit_batch(batch)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
        sa.event.remove(db.engine, "commit", commit)
    assert all(item.ack["ok"] for item in batch)
    floor = [ack_sql.shape(s) for s in ack_sql.for_dialect(db.engine.dialect.name)
             if s not in ("COMMIT", "BEGIN IMMEDIATE")]
    user_and_workspace, rest = floor[0], floor[1:]
    begin = ["BEGIN IMMEDIATE"] if db.engine.dialect.name == "sqlite" else []
    # One transaction; per envelope its user, then its statements in a savepoint.
    one = [user_and_workspace, "SAVEPOINT sa_savepoint_?", *rest,
           "RELEASE SAVEPOINT sa_savepoint_?"]
    assert [re.sub(r"sa_savepoint_\d+", "sa_savepoint_?", s) for s in seen] \
        == begin + one * 3 + ["COMMIT"]
