"""On PostgreSQL a rollup batch holds no lock an ack waits for (bench (d), docs/BENCHMARKS.md).

The worker's batch, left open between its writes and its commit: the workspace's
watermark row taken, the user's events read, the rollup rows and the user's runs
written. Envelopes of the same user (a manual step, an event that completes a step,
a tracked event) must commit meanwhile. On SQLite one writer at a time is the
design (the ack waits for the batch's commit), hence PostgreSQL only.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from guide.extensions import db
from guide.models import Event
from tests.analytics.conftest import OpenBatch, send, user
from tests.pg import PG_URL

EVENTS = 500
DEADLINE = 15.0


@pytest.mark.skipif(not PG_URL, reason="row locks: PostgreSQL (GUIDE_TEST_DATABASE_URL)")
def test_acks_commit_while_a_rollup_batch_of_their_user_is_open(app, paris):
    busy = user(paris, "busy")
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    send(paris, busy, "guide:state", start, guide="onboarding", state="active", step="hello")
    db.session.add_all([Event(workspace_id=paris.id, user_id=busy.id, type="event:track",
                              name="$target_missing",
                              props={"guide": "onboarding", "step": "connect"},
                              created_at=start + timedelta(seconds=n)) for n in range(EVENTS)])
    db.session.commit()
    ws_id = paris.id
    opened = OpenBatch(app, ws_id, busy.id, EVENTS + 10, DEADLINE * 4)
    written, release, errors, batch = opened.written, opened.release, opened.errors, opened.thread
    batch.start()
    try:
        assert written.wait(DEADLINE) and errors == []
        acked, acks = threading.Event(), []

        def acks_of_the_same_user() -> None:
            with app.app_context():
                try:
                    at = datetime.now(UTC)
                    acks.append(send(paris, busy, "step:complete", at, guide="onboarding",
                                     step="hello"))
                    acks.append(send(paris, busy, "event:track", at, name="connected",
                                     props={}, url=None))
                    acks.append(send(paris, busy, "event:track", at, name="$page", props={},
                                     url="/settings/profile"))
                except Exception as exc:
                    errors.append(exc)
                finally:
                    db.session.remove()
                    acked.set()

        sender = threading.Thread(target=acks_of_the_same_user)
        sender.start()
        # A lock shared with the batch would hold them until the release below.
        assert acked.wait(DEADLINE), "an ack waited for the open rollup batch"
        sender.join(DEADLINE)
        assert errors == []
        assert [ack["ok"] for ack in acks] == [True, True, True]
        assert {c["step"] for ack in acks for c in ack["completed"]} == {
            "hello", "connect", "visit"}
    finally:
        release.set()
        batch.join(DEADLINE * 4)
    assert errors == [] and not batch.is_alive()
