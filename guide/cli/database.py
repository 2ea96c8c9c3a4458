"""``guide db upgrade|downgrade|current``: the schema's migrations (Flask-Migrate).

The full Flask-Migrate group (``flask --app wsgi db ...``) stays available for
writing migrations; operators need these three.
"""

from __future__ import annotations

import click
import flask_migrate
from flask.cli import AppGroup

from guide.cli.common import examples

db_cli = AppGroup("db", help="The database schema: apply, undo or show migrations.",
                  epilog=examples(
    "guide db upgrade      # to this version of Guide: on every deploy, before serving",
    "guide db current      # the revision the database is at",
    "guide db downgrade    # undo the last migration (before going back to older code)",
    note="The database is GUIDE_DATABASE_URL (default: SQLite in instance/guide.db)."))

SQL = click.option("--sql", is_flag=True,
                   help="Print the SQL instead of running it (to review or run by hand).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
@SQL
def upgrade_command(revision: str, sql: bool) -> None:
    """Apply every migration up to REVISION (default: the latest)."""
    flask_migrate.upgrade(revision=revision, sql=sql)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
@SQL
def downgrade_command(revision: str, sql: bool) -> None:
    """Undo migrations down to REVISION (default: the last one only)."""
    flask_migrate.downgrade(revision=revision, sql=sql)


@db_cli.command("current")
@click.option("--verbose", "-v", is_flag=True, help="Show the revision's details.")
def current_command(verbose: bool) -> None:
    """Print the revision the database is at.

    "(head)" after it means the database is up to date.
    """
    flask_migrate.current(verbose=verbose)
