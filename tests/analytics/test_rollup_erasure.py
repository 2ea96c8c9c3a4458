"""Erasing a user while a rollup batch folds their events leaves no rollup row about them.

The rollup rows have no foreign key to the user (migration 0013), so no cascade
and no failing check stops a batch that read the user's events before the erasure
from writing rows about them after it. The erasure takes the rollup turn: it waits
for the open batch to commit, then deletes what it wrote. PostgreSQL only: on
SQLite one writer at a time is the design.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from guide.extensions import db
from guide.models import EndUser, Event
from guide.models.analytics import USER_ROLLUPS
from guide.services import privacy
from tests.analytics.conftest import OpenBatch, user
from tests.pg import PG_URL

DEADLINE = 15.0


def _waiting_or_done(done: threading.Event) -> bool:
    """Poll until the erasure has finished or waits for a lock (deadline: DEADLINE)."""
    deadline = datetime.now(UTC) + timedelta(seconds=DEADLINE)
    while datetime.now(UTC) < deadline:
        if done.is_set():
            return True
        with db.engine.connect() as conn:
            if conn.scalar(sa.text("SELECT count(*) FROM pg_stat_activity WHERE "
                                   "datname = current_database() AND wait_event_type = 'Lock'")):
                return True
        done.wait(0.05)
    return False


@pytest.mark.skipif(not PG_URL, reason="row locks: PostgreSQL (GUIDE_TEST_DATABASE_URL)")
def test_a_user_erased_during_an_open_rollup_batch_leaves_no_rollup_rows(app, paris):
    who = user(paris, "leaving")
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    db.session.add_all([
        Event(workspace_id=paris.id, user_id=who.id, type="guide:state", name="onboarding",
              props={"guide": "onboarding", "state": "active"}, created_at=start),
        Event(workspace_id=paris.id, user_id=who.id, type="event:track", name="$help_open",
              props={"guide": "onboarding", "step": "connect"},
              created_at=start + timedelta(minutes=1))])
    db.session.commit()
    ws_id, user_id = paris.id, who.id
    opened, erased = OpenBatch(app, ws_id, user_id, 100, DEADLINE * 4), threading.Event()
    written, release, errors, batch = opened.written, opened.release, opened.errors, opened.thread
    batch.start()

    def erase() -> None:
        with app.app_context():
            try:
                workspace = db.session.get(type(paris), ws_id)
                privacy.erase_user(workspace, db.session.get(EndUser, user_id), "cli")
            except Exception as exc:
                errors.append(exc)
            finally:
                db.session.remove()
                erased.set()

    eraser = threading.Thread(target=erase)
    try:
        assert written.wait(DEADLINE) and errors == []
        eraser.start()
        assert _waiting_or_done(erased)
    finally:
        release.set()
        batch.join(DEADLINE * 4)
        if eraser.ident is not None:
            eraser.join(DEADLINE * 4)
    assert errors == [] and not batch.is_alive() and not eraser.is_alive()
    db.session.rollback()
    for model in USER_ROLLUPS:
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model).where(
            model.user_id == user_id)) == 0, model.__tablename__
