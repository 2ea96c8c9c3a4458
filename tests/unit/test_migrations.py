"""The migrations build exactly the tables the models declare, and run both ways."""

from __future__ import annotations

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
