"""Every command of the server, at the edge: ``guide ...`` and ``flask --app wsgi guide ...``.

Commands parse options, call one service (or use case) and print; they hold
no transactions: the service they call commits or rolls back. ``COMMANDS`` is
the one list both entry points serve (guide/command.py builds ``guide``).
"""

from __future__ import annotations

from flask import Flask
from flask.cli import AppGroup

from guide.cli.analytics import analytics_cli
from guide.cli.authors import author_cli
from guide.cli.automation import worker_command
from guide.cli.content import content_cli, workspace_cli
from guide.cli.database import db_cli
from guide.cli.demo import demo_cli
from guide.cli.environments import environment_cli, promote_command  # noqa: F401 (adds them)
from guide.cli.privacy import accounts_cli, events_cli, users_cli
from guide.cli.proactive import scenarios_cli
from guide.cli.serve import serve_command

COMMANDS = (serve_command, worker_command, db_cli, content_cli, workspace_cli, author_cli,
            scenarios_cli, users_cli, accounts_cli, events_cli, demo_cli, analytics_cli)

guide_cli = AppGroup("guide", help="Guide server commands (the same as the `guide` command).")
for _command in COMMANDS:
    guide_cli.add_command(_command)


def init_app(app: Flask) -> None:
    app.cli.add_command(guide_cli)
