"""The ``flask guide`` command group. Feature packages add their sub-groups here."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup

guide_cli = AppGroup("guide", help="Guide server commands.")


def init_app(app: Flask) -> None:
    from guide.authoring.cli import author_cli
    from guide.automation.cli import worker_command
    from guide.content.cli import content_cli, workspace_cli
    from guide.privacy_cli import accounts_cli, events_cli, users_cli
    from guide.proactive.cli import scenarios_cli

    guide_cli.add_command(content_cli)
    guide_cli.add_command(workspace_cli)
    guide_cli.add_command(author_cli)
    guide_cli.add_command(worker_command)
    guide_cli.add_command(scenarios_cli)
    for group in (users_cli, accounts_cli, events_cli):
        guide_cli.add_command(group)
    app.cli.add_command(guide_cli)


def workspace_or_exit(key: str) -> Any:
    """The workspace with this app key, or a clear message and exit status 1."""
    from guide.extensions import db
    from guide.models import Workspace

    workspace = db.session.scalar(db.select(Workspace).where(Workspace.key == key))
    if workspace is None:
        click.echo(f'No workspace "{key}"; create it with `flask guide content push`.', err=True)
        raise SystemExit(1)
    return workspace
