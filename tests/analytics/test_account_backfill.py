"""Migration 0019 writes the accounts' rows the worker would write, for the workspaces the
rollups have started on (SQLite; the PostgreSQL backfill was compared on the benchmark's
data)."""

from __future__ import annotations

import importlib.util
import random
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa


def _migration(name):
    """A migration module, loaded from its file (the versions folder is no package)."""
    path = Path(__file__).parents[2] / "guide" / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
        upgrade()
        ws = _seed(random.Random(4), 80)
        db.session.commit()
        # As before 0019 on a workspace the rollups had started on: no accounts' rows.
        db.session.execute(sa.delete(AnalyticsAccount))
        db.session.execute(sa.delete(AnalyticsMember))
        db.session.execute(sa.insert(AnalyticsWatermark).values(
            workspace_id=ws.id, last_event_id=0, rolled_at=datetime(2026, 3, 2, tzinfo=UTC)))
        db.session.commit()
        _migration("0019_analytics_account")._backfill(db.session.connection(), ws.id)
        db.session.commit()
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
