"""Migration 0023 fills the onboarding rollup with every user, in the workspace's timezone
and with its lifecycle's last stage, and marks them counted: the report's populations are
then rolled, equal to those read from every user (SQLite; PostgreSQL compared on the
benchmark's data)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def test_the_backfill_counts_every_user_as_the_worker_would(tmp_path):
    from flask_migrate import upgrade

    from guide import create_app
    from guide.analytics import onboarding
    from guide.analytics.reactive_people import People
    from guide.extensions import db
    from guide.models import Account, EndUser, Workspace
    from tests.analytics.as_of import insert_as_of

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
                      "SECRET_KEY": "x" * 32})
    with app.app_context():
        upgrade(revision="0022")
        ws_id = insert_as_of(Workspace, key="w", name="W", timezone="Europe/Paris",
                             lifecycle={"stages": [{"key": "trial"}, {"key": "done"}]})
        accounts = [insert_as_of(Account, workspace_id=ws_id, external_id=f"a{n}", traits={})
                    for n in range(2)]
        # Around Paris' change to summer time; a user done as a week began, one without
        # an account, one in the last stage since before they were first seen.
        at = datetime(2026, 1, 4, 23, 30, tzinfo=UTC)  # Monday 5 January 00:30 in Paris
        for n in range(12):
            insert_as_of(EndUser, workspace_id=ws_id, external_id=f"u{n}", traits={},
                         account_id=accounts[n % 2] if n % 3 else None,
                         first_seen=at + timedelta(days=9 * n, hours=n),
                         lifecycle_stage="done" if n % 4 == 1 else None,
                         stage_entered_at=(datetime(2026, 2, 1, 23, tzinfo=UTC)
                                           if n % 4 == 1 else None))
        db.session.commit()
        upgrade()
        ws = db.session.get(Workspace, ws_id)
        mondays = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(30)]
        assert not onboarding.pending(ws_id, "Europe/Paris", "done")  # all counted
        rolled = onboarding.populations(ws_id, mondays, "Europe/Paris", "done")
        assert rolled == People(ws).populations(mondays, ZoneInfo("Europe/Paris"))
        # u1 entered the last stage at midnight (Paris) of 2 February: done from that week.
        assert (rolled[date(2026, 1, 26)], rolled[date(2026, 2, 2)]) == ((4, 2), (3, 1))
        db.session.remove()
        db.engine.dispose()
