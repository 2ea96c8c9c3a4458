"""Two workers rolling up the same workspace at once fold each event exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from guide import analytics
from guide.extensions import db
from guide.models import AnalyticsDaily, AnalyticsWatermark, Event
from tests.analytics.conftest import LATER, user

EVENTS = 300


def test_two_concurrent_rollup_passes_count_each_event_once(app, paris):
    who = user(paris, "busy").id
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    db.session.add_all([Event(workspace_id=paris.id, user_id=who, type="event:track",
                              name="$target_missing",
                              props={"guide": "onboarding", "step": "connect"},
                              created_at=start + timedelta(minutes=n)) for n in range(EVENTS)])
    db.session.commit()
    barrier, rolled, errors = threading.Barrier(2), [0, 0], []

    def work(slot: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                # Small batches: the two passes take turns many times.
                rolled[slot] = analytics.rollup(LATER, batch=7, max_batches=None).total
            except Exception as exc:  # reported below, in the test's thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == [] and not any(thread.is_alive() for thread in threads)
    assert sum(rolled) == EVENTS  # between them, every event once
    counted = db.session.scalar(sa.select(sa.func.sum(AnalyticsDaily.count)).where(
        AnalyticsDaily.workspace_id == paris.id, AnalyticsDaily.guide_key == "onboarding"))
    last = db.session.scalar(sa.select(AnalyticsWatermark.last_event_id))
    assert counted == EVENTS
    assert last == db.session.scalar(sa.select(sa.func.max(Event.id)))
