"""``flask guide analytics rollup``: the backlog folded at once, or rebuilt from the first event."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from guide.extensions import db
from guide.models import AnalyticsDaily, AnalyticsUserDay, AnalyticsWatermark, Event
from guide.models.base import utcnow
from tests.analytics.conftest import user

EVENTS = 25


def rows() -> tuple[list, list, int]:
    daily = db.session.execute(sa.select(AnalyticsDaily.guide_key, AnalyticsDaily.step_id,
                                         AnalyticsDaily.metric, AnalyticsDaily.day,
                                         AnalyticsDaily.count)
                               .order_by(*AnalyticsDaily.__table__.primary_key)).all()
    users = db.session.execute(sa.select(AnalyticsUserDay.__table__)
                               .order_by(*AnalyticsUserDay.__table__.primary_key)).all()
    watermark = db.session.scalar(sa.select(AnalyticsWatermark.last_event_id)) or 0
    db.session.rollback()
    return daily, users, watermark


def test_the_command_folds_the_backlog_and_rebuild_gives_the_same_rollups(runner, paris):
    who = user(paris, "busy").id
    settled = utcnow() - timedelta(hours=1)
    db.session.add_all([Event(workspace_id=paris.id, user_id=who, type="event:track",
                              name="$target_missing", props={"guide": "onboarding",
                                                             "step": "connect"},
                              created_at=settled + timedelta(seconds=n))
                        for n in range(EVENTS)])
    db.session.commit()
    args = ["guide", "analytics", "rollup", "--workspace", "paris", "--batch", "100"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert first.output.startswith(f"{EVENTS} event(s) rolled up in ")
    daily, users, watermark = rows()
    assert sum(row.count for row in daily if row.step_id == "connect") == EVENTS and users
    assert watermark == db.session.scalar(sa.select(sa.func.max(Event.id)))

    again = runner.invoke(args=[*args, "--rebuild"])
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[0] == "paris: rollups forgotten, folding every event again"
    assert f"{EVENTS} event(s) rolled up" in again.output
    assert rows() == (daily, users, watermark)


def test_nothing_to_fold_says_so_and_a_bad_call_exits_non_zero(runner, paris):
    quiet = runner.invoke(args=["guide", "analytics", "rollup"])
    assert quiet.exit_code == 0 and quiet.output.startswith("0 event(s) rolled up")
    rebuild_all = runner.invoke(args=["guide", "analytics", "rollup", "--rebuild"])
    assert rebuild_all.exit_code == 2 and "--rebuild needs --workspace" in rebuild_all.output
    unknown = runner.invoke(args=["guide", "analytics", "rollup", "--workspace", "nope"])
    assert unknown.exit_code == 1 and 'No workspace "nope"' in unknown.output


def test_a_large_catch_up_refreshes_the_planner_statistics(runner, paris, monkeypatch):
    from guide.analytics.rollup import analyze

    who = user(paris, "busy").id
    settled = utcnow() - timedelta(hours=1)
    db.session.add_all([Event(workspace_id=paris.id, user_id=who, type="event:track",
                              name="$target_missing", props={"guide": "onboarding",
                                                             "step": "connect"},
                              created_at=settled + timedelta(seconds=n)) for n in range(5)])
    db.session.commit()
    analyzed = []
    monkeypatch.setattr("guide.cli.analytics.analyze", lambda: analyzed.append(analyze()))
    monkeypatch.setattr("guide.cli.analytics.ANALYZE_AFTER", 5)
    out = runner.invoke(args=["guide", "analytics", "rollup"]).output
    assert analyzed == [None] and out.endswith("refreshed (ANALYZE)\n")
    quiet = runner.invoke(args=["guide", "analytics", "rollup"]).output  # nothing new
    assert analyzed == [None] and "ANALYZE" not in quiet

