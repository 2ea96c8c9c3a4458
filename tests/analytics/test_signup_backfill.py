"""Migration 0018 fills the signup rollup with every user and milestone, in the workspace's
timezone, and marks them folded: the report then sums the rollup, the same report as from
the live rows (SQLite; PostgreSQL compared on the benchmark's data)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from tests.analytics.as_of import insert_as_of

ESCALATION = sa.table("escalation", sa.column("workspace_id"), sa.column("user_id"),
                      sa.column("reference"), sa.column("message"), sa.column("severity"),
                      sa.column("status"), sa.column("origin"), sa.column("context", sa.JSON),
                      sa.column("history", sa.JSON),
                      sa.column("created_at", sa.DateTime(timezone=True)),
                      sa.column("updated_at", sa.DateTime(timezone=True)))
MILESTONE = sa.table("user_milestone", sa.column("user_id"), sa.column("key"),
                     sa.column("source"), sa.column("reached_at", sa.DateTime(timezone=True)))


def test_the_backfill_counts_every_user_and_milestone_in_the_workspace_timezone(tmp_path):
    from flask_migrate import upgrade

    from guide import create_app
    from guide.analytics import lifecycle_report, signups
    from guide.analytics.signup_numbers import rolled_cohorts
    from guide.extensions import db
    from guide.models import AnalyticsSignup, AnalyticsWatermark, EndUser, Workspace

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
                      "SECRET_KEY": "x" * 32})
    with app.app_context():
        upgrade(revision="0020")  # the revision before 0018
        ws_id = insert_as_of(  # the columns 0020 has (the model has more since)
            Workspace, key="w", name="W", timezone="Europe/Paris", signing_secrets=["s" * 32],
            lifecycle={"milestones": [{"key": "connected"}]})
        at = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)  # Monday 9 March 00:30 in Paris
        # Core inserts of the columns 0020 has (the models have more since).
        for n in range(4):
            user = db.session.execute(sa.insert(EndUser.__table__).values(
                workspace_id=ws_id, external_id=f"u{n}", traits={},
                lifecycle_stage="legacy" if n == 2 else None,
                first_seen=at + timedelta(hours=n)).returning(EndUser.id)).scalar()
            # Users escalate 2 days after signing up: u1 after connecting (1 day), u3 before (3).
            sent = at + timedelta(hours=n, days=2)
            db.session.execute(sa.insert(ESCALATION).values(
                workspace_id=ws_id, user_id=user, reference=f"E{n}", message="m",
                severity="blocked", status="open", origin="user" if n % 2 else "scenario",
                context={}, history=[], created_at=sent, updated_at=sent))
            if n % 2:
                db.session.execute(sa.insert(MILESTONE).values(
                    user_id=user, key="connected", source="t",
                    reached_at=at + timedelta(hours=n, days=n)))
        db.session.commit()
        upgrade()
        ws = db.session.get(Workspace, ws_id)
        s = AnalyticsSignup
        days = db.session.execute(sa.select(s.day, s.key, sa.func.sum(s.users))
                                  .group_by(s.day, s.key).order_by(s.key)).all()
        assert days == [(date(2026, 3, 9), "", 4), (date(2026, 3, 9), "connected", 2)]
        assert not signups.pending(ws.id, "Europe/Paris")  # all marked folded
        start, end = date(2026, 3, 2), date(2026, 3, 15)
        assert rolled_cohorts(ws, ["connected"], start, end, 7, lambda day: 0) is not None
        rolled = lifecycle_report(ws, start, end)
        db.session.execute(sa.update(AnalyticsWatermark).values(signup_zone=None))
        assert lifecycle_report(ws, start, end) == rolled
        assert rolled["stalls"][0]["escalations"] == 1  # u3's, before connecting
        assert rolled["stages"]["users"] == [
            {"stage": "legacy", "title": "legacy", "count": 1, "configured": False}]
        assert rolled["milestones"][0]["time_to_value"] == {
            "count": 2, "median": 86400, "p90": 3 * 86400}
        db.session.remove()
        db.engine.dispose()
