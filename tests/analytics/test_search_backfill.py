"""Migration 0016 fills analytics_search with what the rollup would have written, up to the
watermark (SQLite; the PostgreSQL backfill was compared on the benchmark's data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa


def test_the_backfill_writes_the_searches_at_or_below_the_watermark(tmp_path):
    from flask_migrate import upgrade

    from guide import create_app
    from guide.analytics import searches
    from guide.extensions import db
    from guide.models import AnalyticsSearch, AnalyticsWatermark, EndUser, Event, Workspace
    from tests.analytics.as_of import insert_as_of

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
                      "SECRET_KEY": "x" * 32})
    with app.app_context():
        upgrade(revision="0014")
        ws_id = insert_as_of(Workspace, key="w", name="W", timezone="Europe/Paris",
                             signing_secrets=["s" * 43])
        # Core inserts of the columns 0014 has (the models have more since).
        who_id = insert_as_of(EndUser, workspace_id=ws_id, external_id="u", traits={})
        at = datetime(2026, 3, 2, 9, tzinfo=UTC)
        for n, (query, results, client) in enumerate((
                ("Export  CSV", 0, at - timedelta(days=1)), ("sso", 0.0, None),
                ("  ", 0, None), (5, 0, None), ("x" * 250, 3, at - timedelta(days=9)),
                ("above the watermark", 0, None))):
            db.session.add(Event(workspace_id=ws_id, user_id=who_id if n % 2 else None,
                                 type="event:track", name="$help_search",
                                 props={"query": query, "results": results},
                                 client_at=client, created_at=at + timedelta(minutes=n)))
            db.session.flush()
        last = db.session.scalar(sa.select(sa.func.max(Event.id))) - 1
        # The table as it was at 0014 (the model has columns of later migrations).
        db.session.execute(sa.insert(sa.table(
            AnalyticsWatermark.__tablename__, sa.column("workspace_id"),
            sa.column("last_event_id"), sa.column("rolled_at", sa.DateTime()))).values(
            workspace_id=ws_id, last_event_id=last, rolled_at=datetime(2026, 3, 2)))
        db.session.commit()
        upgrade()
        s = AnalyticsSearch
        rows = db.session.execute(sa.select(s.event_id, s.user_id, s.at, s.query, s.zero)
                                  .order_by(s.event_id)).all()
        expected = searches.logged(ws_id, Event.id <= last)
        assert [tuple(row) for row in rows] == sorted(tuple(search) for search in expected)
        assert [row.query for row in rows] == ["export csv", "sso", "x" * 200]
        db.session.remove()
        db.engine.dispose()
