"""The bootstrap floor (bench/floor.py) stays the same work as Guide's bootstrap."""

from __future__ import annotations

import re

import sqlalchemy as sa

from bench import floor
from guide.extensions import db
from guide.models import EndUser
from guide.services.identity import read_socket_token
from tests import factories

TABLES = re.compile(r'\b(?:FROM|JOIN|INTO|UPDATE)\s+"?(\w+)"?', re.I)
BODY = {"url": "/demo/dashboard", "locale": "en"}


def tables(statements):
    return {name for sql in statements for name in TABLES.findall(sql)}


def returning_user_statements(client, workspace, user):
    """What SQLAlchemy sends for a returning user's bootstrap (the benchmark's steady state)."""
    factories.bootstrap(client, workspace, user, **BODY)  # creates the user, records offers
    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = factories.bootstrap(client, workspace, user, **BODY)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return seen


def test_the_floor_reads_the_tables_guides_bootstrap_reads(client, workspace):
    guide = returning_user_statements(client, workspace, "floor-1")
    # Read only: the floor writes nothing, so Guide must not either for a returning user.
    assert all(sql.lstrip().upper().startswith(("SELECT", "BEGIN", "COMMIT", "ROLLBACK"))
               for sql in guide), guide
    assert tables(guide) == tables(floor.STATEMENTS.values())
    assert tables(guide) == {"workspace", "end_user", "guide", "guide_version", "progress"}


def test_the_floor_verifies_the_same_identity_and_signs_a_token_guide_accepts(
        app, client, workspace, database_url):
    factories.bootstrap(client, workspace, "floor-2", **BODY)
    db.session.commit()
    floor_app = floor.create_app(database_url, app.config["SECRET_KEY"])
    bench = floor_app.test_client()
    body = {"app": "demo", "user": {"id": "floor-2"}, **BODY}
    try:
        signed = bench.post("/floor/bootstrap", json={
            **body, "token": factories.sign(workspace, "floor-2")})
        forged = bench.post("/floor/bootstrap", json={**body, "token": "x.y.z"})
        other = bench.post("/floor/bootstrap", json={
            **body, "token": factories.sign(workspace, "someone-else")})
    finally:
        floor_app.extensions["floor"].engine.dispose()
    assert signed.status_code == 200, signed.get_json()
    assert forged.status_code == 401 and other.status_code == 401
    data = signed.get_json()
    assert {g["key"] for g in data["guides"]} >= {"getting-started"}
    identity = read_socket_token(data["socket"]["token"])
    user = db.session.scalars(sa.select(EndUser).filter_by(external_id="floor-2")).one()
    assert (identity.workspace_id, identity.user_id) == (workspace.id, user.id)
