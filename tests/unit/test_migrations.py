"""The migrations build exactly the tables the models declare, and run both ways."""

from __future__ import annotations

import pytest
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
    assert diff == []


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
