"""The ``flask guide`` command group. Feature packages add their sub-groups here."""

from __future__ import annotations

from flask import Flask
from flask.cli import AppGroup

guide_cli = AppGroup("guide", help="Guide server commands.")


def init_app(app: Flask) -> None:
    from guide.authoring.cli import author_cli
    from guide.automation.cli import worker_command
    from guide.content.cli import content_cli, workspace_cli

    guide_cli.add_command(content_cli)
    guide_cli.add_command(workspace_cli)
    guide_cli.add_command(author_cli)
    guide_cli.add_command(worker_command)
    app.cli.add_command(guide_cli)
