"""What several command groups share."""

from __future__ import annotations

import click

from guide.models import Workspace
from guide.services import workspaces


def workspace_or_exit(key: str) -> Workspace:
    """The workspace with this app key, or a clear message and exit status 1."""
    workspace = workspaces.by_key(key)
    if workspace is None:
        click.echo(f'No workspace "{key}"; create it with `guide content push`.', err=True)
        raise SystemExit(1)
    return workspace


def examples(*lines: str, note: str = "") -> str:
    """A command's epilog: example command lines, kept as written by ``--help``."""
    text = "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)
    return f"{text}\n\n\b\n{note}" if note else text
