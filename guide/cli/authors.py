"""``guide author ...``: admin accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from guide.cli.common import examples
from guide.errors import GuideError
from guide.models.author import ROLES
from guide.services import authors, workspaces

author_cli = AppGroup("author", help="Admin accounts (authors) and their roles.",
                      epilog=examples(
    "guide author create ana@example.com --workspace demo --role admin",
    "guide author create sam@example.com --workspace demo --role support --exists-ok",
    note="Roles and what each may do: docs/AUTHORING.md."))


@author_cli.command("create")
@click.argument("email")
@click.option("--workspace", "workspace_key", required=True, help="Workspace key, e.g. demo.")
@click.option("--role", type=click.Choice(ROLES), default="admin", show_default=True)
@click.option("--password", default=None,
              help="Default: prompt (on a terminal), else generate and print one.")
@click.option("--exists-ok", is_flag=True,
              help="An existing author keeps the account: the password (if given) and the role "
                   "are set. Makes the command safe to run again.")  # fmt: skip
def create_command(email: str, workspace_key: str, role: str, password: str | None,
                   exists_ok: bool) -> None:
    """Create an admin account (an author).

    EMAIL signs in at /admin/ with --role in the workspace; the support role
    opens the support inbox at /support/ and nothing of authoring.
    """
    workspace = workspaces.by_key(workspace_key)
    if workspace is None:
        raise click.ClickException(
            f'No workspace "{workspace_key}"; create it with `guide content push`.')
    existing = authors.find_author(email)
    if existing is not None and not exists_ok:
        raise click.ClickException(f"{existing.email} already exists (use --exists-ok).")
    generated = False
    if password is None and existing is None:
        if sys.stdin is not None and sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password, generated = authors.generate_password(), True
    try:
        if existing is not None and password is None:
            authors.set_role("cli", workspace, existing, role)
            author, created = existing, False
        else:
            author, created = authors.ensure_author(email, password or "", workspace, role)
    except GuideError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"{'created' if created else 'updated'} {author.email}: {role} in {workspace.key}")
    if generated:
        click.echo(f"password: {password}")
