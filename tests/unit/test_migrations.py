"""The migrations build exactly the tables the models declare, and run both ways."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


# SQLite's reflection skips expression indexes (the analytics news indexes on end_user):
# those two are compared on PostgreSQL only.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_migrated_schema_matches_the_models(app, db):
    from guide.models.help import is_model_table

    # The same filter `flask db migrate` uses: SQLite's FTS5 search tables are not models.
    opts = {"include_name": is_model_table}
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts=opts), db.metadata)
    if db.engine.dialect.name == "sqlite":
        # 0027 adds workspace.production_id's foreign key inline (ALTER TABLE ADD COLUMN ...
        # CONSTRAINT ... REFERENCES ... ON DELETE CASCADE: a rebuild of workspace would
        # cascade-delete its rows' children); SQLite's reflection reads such a column
        # constraint without its name or ON DELETE. The same key, otherwise.
        same = {("production_id",), ("workspace",)}
        diff = [d for d in diff if not (d[0] in ("add_fk", "remove_fk") and {
            tuple(d[1].column_keys), (d[1].referred_table.name,)} == same)]
    assert diff == []


def test_upgrading_to_environments_keeps_every_row_that_refers_to_a_workspace(tmp_path):
    """0027 alters workspace in place: a rebuild on SQLite, with foreign keys on, dropped
    the old table and cascade-deleted users, progress, events and rollups."""
    from flask_migrate import upgrade

    from guide import create_app
    from guide.extensions import db as database

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
                      "SECRET_KEY": "x" * 32})
    with app.app_context():
        upgrade(revision="0026")
        with database.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO workspace (key, name, default_locale, "
                                 "allowed_origins, require_identity, signing_secrets, "
                                 "help_enabled, theme, created_at) VALUES ('w', 'W', 'en', "
                                 "'[]', 0, '[]', 1, '{}', '2026-01-01')"))
            conn.execute(sa.text("INSERT INTO end_user (workspace_id, external_id, traits, "
                                 "first_seen, last_seen, visits) VALUES (1, 'u', '{}', "
                                 "'2026-01-01', '2026-01-01', 1)"))
        upgrade()
        with database.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM end_user")).scalar() == 1
        database.engine.dispose()


def test_downgrade_to_base_and_upgrade_again(tmp_path):
    from flask_migrate import downgrade, upgrade

    from guide import create_app
    from guide.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
                      "SECRET_KEY": "x" * 32})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert db.inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade()
        assert "progress" in db.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_0028_backfills_who_was_shown_each_survey_up_to_the_watermark(tmp_path):
    """0028's backfill writes the survey user-days and chains of the events at or below
    the watermark; the rollup then folds the rest: the same rows as folding every event
    again from the first (a rebuild). The downgrade takes them out again."""
    from flask_migrate import downgrade, upgrade

    from guide import create_app
    from guide.analytics.rollup import rebuild
    from guide.extensions import db as database
    from guide.models import AnalyticsReach, AnalyticsUserDay, AnalyticsWatermark, Event
    from tests.analytics.conftest import roll_all, user
    from tests.analytics.test_survey_reach import SURVEY, answered, at, shown
    from tests.factories import make_workspace, publish

    def survey_rows() -> tuple[list[tuple], list[tuple]]:
        u, r = AnalyticsUserDay, AnalyticsReach
        return (sorted(map(tuple, database.session.execute(
                    sa.select(u.step_id, u.metric, u.day, u.user_id)
                    .where(u.guide_key == "$survey")))),
                sorted(map(tuple, database.session.execute(
                    sa.select(r.step_id, r.metric, r.day, r.prev_day, r.users)
                    .where(r.guide_key == "$survey")))))

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
                      "SECRET_KEY": "x" * 32, "GUIDE_DEMO": False})
    with app.app_context():
        upgrade(revision="0027")
        ws = make_workspace(key="w", timezone="Europe/Paris")
        publish(ws, SURVEY)
        database.session.commit()
        a, b, c = (user(ws, k) for k in "abc")
        shown(ws, a, at(2, 10))
        answered(ws, a, at(2, 10, 5))
        shown(ws, b, at(2, 0, 30))  # 1 March 23:30 UTC: its day is Paris's
        shown(ws, b, at(3, 9))
        answered(ws, b, at(3, 9, 5), score=3)
        last = database.session.scalar(sa.select(sa.func.max(Event.id)))
        database.session.add(AnalyticsWatermark(workspace_id=ws.id, last_event_id=last))
        database.session.commit()
        shown(ws, c, at(3, 11))  # above the watermark: the rollup's, not the backfill's
        ids = {"a": a.id, "b": b.id}
        database.session.remove()  # its transaction would hold SQLite's write turn
        upgrade()
        days, chains = survey_rows()
        day = lambda d: date(2026, 3, d)  # noqa: E731
        assert days == sorted([
            ("nps", "survey_answered", day(2), ids["a"]), ("nps", "survey_answered", day(3), ids["b"]),
            ("nps", "survey_either", day(2), ids["b"]), ("nps", "survey_either", day(2), ids["a"]),
            ("nps", "survey_either", day(3), ids["b"]), ("nps", "survey_shown", day(2), ids["b"]),
            ("nps", "survey_shown", day(2), ids["a"]), ("nps", "survey_shown", day(3), ids["b"])])
        first = date(1, 1, 1)
        assert [c for c in chains if c[1] == "survey_shown"] == [
            ("nps", "survey_shown", day(2), first, 2), ("nps", "survey_shown", day(3), day(2), 1)]
        roll_all()
        rolled = survey_rows()
        assert len(rolled[0]) == len(days) + 2  # c's shown and either
        rebuild(database.session.scalar(sa.select(Event.workspace_id).limit(1)))
        roll_all()
        assert survey_rows() == rolled
        database.session.remove()
        downgrade(revision="0027")
        assert survey_rows() == ([], [])
        database.session.remove()
        indexes = {i["name"] for i in sa.inspect(database.engine).get_indexes("survey_response")}
        assert "ix_survey_response_event" not in indexes
        database.engine.dispose()
