"""The same envelope sent twice at the same moment: one is recorded, the other answers
``duplicate`` with its result, never ``internal_error`` (issue 12, point 5).

Two tabs (or a retry racing the original) both pass the replay check before
either commits. On PostgreSQL the second then waits at its event insert for
the first transaction and fails with a unique violation when it commits: that
failure must become the first one's answer, wherever in the transaction it
surfaces.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guide.extensions import db
from guide.models import EndUser, Event, Workspace
from guide.services.unit import Context
from guide.usecases.envelopes import handle
from tests.pg import PG_URL

# A milestone event of the demo content: recording it locks the user's row first
# (guide.proactive._one_at_a_time), which lets the PostgreSQL test hold both senders
# after their replay check.
MILESTONE_EVENT = "integration_connected"


def _sender(app: Flask, workspace_id: int, user_id: int, kind: str, data: dict[str, Any],
            start: threading.Barrier, acks: list[dict[str, Any]]) -> Callable[[], None]:
    def send() -> None:
        with app.app_context():
            ctx = Context(db.session.get(Workspace, workspace_id), db.session.get(EndUser, user_id))
            db.session.commit()  # as a request starts: no transaction (nor SQLite write lock) yet
            start.wait(timeout=10)
            acks.append(handle(ctx, kind, dict(data)))
            db.session.remove()
    return send


def _send_at_once(app: Flask, user: EndUser, kind: str, data: dict[str, Any], senders: int,
                  while_started: Callable[[], None] = lambda: None) -> list[dict[str, Any]]:
    """``senders`` threads send the same envelope through the service the socket and the
    HTTP batch share, released together by a barrier."""
    workspace_id, user_id = user.workspace_id, user.id
    # End this thread's transaction: on SQLite it holds the write lock (BEGIN IMMEDIATE).
    db.session.commit()
    start = threading.Barrier(senders)
    acks: list[dict[str, Any]] = []
    threads = [threading.Thread(target=_sender(app, workspace_id, user_id, kind, data,
                                               start, acks)) for _ in range(senders)]
    for thread in threads:
        thread.start()
    while_started()
    for thread in threads:
        thread.join(timeout=30)
    assert len(acks) == senders, "a sender did not finish"
    return acks


def _one_recorded_the_rest_duplicates(acks: list[dict[str, Any]], envelope_id: str) -> None:
    assert all(ack["ok"] for ack in acks), [a.get("error") for a in acks]
    [first] = [ack for ack in acks if not ack["duplicate"]]
    for ack in acks:
        assert ack == {**first, "duplicate": ack["duplicate"]}
    events = db.session.scalars(db.select(Event).where(Event.client_id == envelope_id)).all()
    assert len(events) == 1


@pytest.fixture
def user(workspace: Workspace) -> EndUser:
    user = EndUser(workspace_id=workspace.id, external_id="twin-tabs", traits={"plan": "trial"})
    db.session.add(user)
    db.session.commit()
    return user


@pytest.mark.parametrize("kind,data", [
    ("event:track", {"name": MILESTONE_EVENT, "props": {"source": "postgres"}}),
    ("step:complete", {"guide": "getting-started", "step": "welcome"}),
], ids=["track", "step"])
def test_the_same_envelope_from_eight_tabs_at_once_is_recorded_once(app, user, kind, data):
    envelope = {"id": str(uuid.uuid4()), **data}
    acks = _send_at_once(app, user, kind, envelope, senders=8)
    _one_recorded_the_rest_duplicates(acks, envelope["id"])


@pytest.mark.skipif(not PG_URL, reason="row locks: PostgreSQL (GUIDE_TEST_DATABASE_URL)")
def test_both_past_the_replay_check_the_second_answers_duplicate_on_postgresql(app, user):
    """Deterministic: the user's row is held until both senders wait for it, i.e. both
    have found no earlier event with their id; the one that gets the row second meets the
    first one's committed event at its insert (UniqueViolation before the fix: an
    ``internal_error`` the widget retried)."""
    envelope = {"id": str(uuid.uuid4()), "name": MILESTONE_EVENT, "props": {}}
    engine = sa.create_engine(db.engine.url)
    holder = engine.connect()
    transaction = holder.begin()
    holder.execute(sa.text("SELECT id FROM end_user WHERE id = :id FOR UPDATE"), {"id": user.id})

    def release_when_both_wait() -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            waiting = holder.execute(sa.text(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid()"
            )).scalar()
            if waiting >= 2:
                break
            time.sleep(0.01)  # polling PostgreSQL's lock table: nothing to wait on
        else:
            pytest.fail("the two senders never both waited for the user's row")
        transaction.commit()

    try:
        acks = _send_at_once(app, user, "event:track", envelope, senders=2,
                             while_started=release_when_both_wait)
    finally:
        holder.close()
        engine.dispose()
    _one_recorded_the_rest_duplicates(acks, envelope["id"])
