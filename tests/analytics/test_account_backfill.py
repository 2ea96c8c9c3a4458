"""Migration 0019 writes the accounts' rows the worker would write, for the workspaces the
rollups have started on (SQLite; the PostgreSQL backfill was compared on the benchmark's
data)."""

from __future__ import annotations

import random
from datetime import datetime

import sqlalchemy as sa


def test_the_backfill_writes_the_rows_the_worker_would(tmp_path):
    from flask_migrate import upgrade

    from guide import create_app
    from guide.analytics import account_rollup
    from guide.analytics.milestones import lifecycle_of
    from guide.extensions import db
    from guide.models import AnalyticsAccount, AnalyticsMember, AnalyticsWatermark
    from guide.models.base import utcnow
    from tests.analytics.test_portfolio_status import _seed

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
                      "SECRET_KEY": "x" * 32})
    with app.app_context():
        upgrade(revision="0016")
        ws = _seed(random.Random(4), 80)
        # The table as it was at 0016 (the model has columns of later migrations).
        db.session.execute(sa.insert(sa.table(
            AnalyticsWatermark.__tablename__, sa.column("workspace_id"),
            sa.column("last_event_id"), sa.column("rolled_at", sa.DateTime()))).values(
            workspace_id=ws.id, last_event_id=0, rolled_at=datetime(2026, 3, 2)))
        db.session.commit()
        upgrade()
        # Judged by the code's rules (users seen in the last minute are the tail).
        rules = account_rollup.rules_of(lifecycle_of(ws))
        assert account_rollup.watermark(ws.id).rules == rules
        table = AnalyticsAccount.__table__
        backfilled = set(db.session.execute(sa.select(table)).all())
        assert len(backfilled) == 80
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsMember)) > 0
        db.session.execute(sa.update(AnalyticsWatermark).values(account_rules=None))
        db.session.commit()
        assert account_rollup.refresh(ws.id, utcnow()) == 80
        assert set(db.session.execute(sa.select(table)).all()) == backfilled
        db.session.remove()
        db.engine.dispose()
