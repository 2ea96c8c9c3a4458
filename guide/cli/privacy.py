"""``guide users|accounts export|delete`` and ``guide events purge``.

The same service calls as ``/api/v1/users/<id>/export`` and ``DELETE
/api/v1/users/<id>`` (docs/PRIVACY.md); the audit log names the actor ``cli``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any

import click
from flask.cli import AppGroup

from guide import analytics
from guide.cli.common import examples, workspace_or_exit
from guide.errors import GuideError
from guide.services import privacy, privacy_export, retention
from guide.services.footprint import account_counts, user_counts
from guide.services.timeline import user_by_external_id
from guide.services.users import account_by_external_id

users_cli = AppGroup("users", help="End users' data: export and erase (docs/PRIVACY.md).",
                     epilog=examples("guide users export u-123 --workspace demo -o u-123.json",
                                     "guide users delete u-123 --workspace demo --yes"))
accounts_cli = AppGroup("accounts", help="Accounts' data: export and erase (docs/PRIVACY.md).",
                        epilog=examples(
    "guide accounts export acme --workspace demo -o acme.json",
    "guide accounts delete acme --workspace demo --users delete"))
events_cli = AppGroup("events", help="The event log: apply events_retention_days.",
                      epilog=examples(
    "guide events purge                    # every workspace with a retention",
    "guide events purge --workspace demo"))

WORKSPACE = click.option("--workspace", "workspace_key", required=True,
                         help="Workspace key, e.g. demo.")
OUTPUT = click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
                      help="Write the JSON here (default: standard output).")
YES = click.option("--yes", is_flag=True, help="Erase without asking (scripts).")


def _find(find: Callable[[Any, str], Any], workspace_key: str, external_id: str) -> Any:
    workspace = workspace_or_exit(workspace_key)
    try:
        return workspace, find(workspace, external_id)
    except GuideError as error:
        raise click.ClickException(error.message) from error


def _write(chunks: Iterator[str], output: IO[str]) -> None:
    for chunk in chunks:
        output.write(chunk)
    output.flush()


def _confirm(what: str, counts: dict[str, int], yes: bool) -> None:
    found = ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in counts.items())
    click.echo(f"{what}: {found}.", err=True)
    if not yes:
        click.confirm(f"Erase {what}? This cannot be undone", abort=True, err=True)


def _export(workspace: Any, subject: Any, output: IO[str]) -> None:
    """Everything about one user or account, events included, as one JSON document."""
    _write(privacy_export.json_chunks(privacy_export.exported(workspace, "cli", subject),
                                      privacy_export.events_of(subject)), output)


def _report(result: dict[str, Any]) -> None:
    click.echo(", ".join(f"{name.replace('_', ' ')}: {value}" for name, value in result.items()
                         if isinstance(value, int)))


@users_cli.command("export")
@click.argument("user_id")
@WORKSPACE
@OUTPUT
def export_user_command(user_id: str, workspace_key: str, output: IO[str]) -> None:
    """Export an end user's data as JSON.

    Everything Guide holds about USER_ID, every event included.
    """
    _export(*_find(user_by_external_id, workspace_key, user_id), output)


@users_cli.command("delete")
@click.argument("user_id")
@WORKSPACE
@YES
def delete_user_command(user_id: str, workspace_key: str, yes: bool) -> None:
    """Erase an end user's data.

    Deletes USER_ID's data, anonymizes their escalations and sends user.deleted.
    Asks first unless --yes.
    """
    workspace, user = _find(user_by_external_id, workspace_key, user_id)
    _confirm(f"user {user_id}", user_counts(user), yes)
    _report(privacy.erase_user(workspace, user, "cli"))


@accounts_cli.command("export")
@click.argument("account_id")
@WORKSPACE
@OUTPUT
def export_account_command(account_id: str, workspace_key: str, output: IO[str]) -> None:
    """Export an account's data as JSON.

    Everything Guide holds about ACCOUNT_ID (its users: export each).
    """
    _export(*_find(account_by_external_id, workspace_key, account_id), output)


@accounts_cli.command("delete")
@click.argument("account_id")
@WORKSPACE
@click.option("--users", type=click.Choice(privacy.USERS_CHOICES), default="keep",
              show_default=True,
              help="keep: its users stay, in no account; delete: erase them too.")
@YES
def delete_account_command(account_id: str, workspace_key: str, users: str, yes: bool) -> None:
    """Erase an account's data.

    Erases ACCOUNT_ID and, with --users delete, its users; sends account.deleted.
    Asks first unless --yes.
    """
    workspace, account = _find(account_by_external_id, workspace_key, account_id)
    _confirm(f"account {account_id}" + (" and its users" if users == "delete" else ""),
             account_counts(account), yes)
    _report(privacy.erase_account(workspace, account, "cli", users))


@events_cli.command("purge")
@click.option("--workspace", "workspace_key", default=None,
              help="Only this workspace (default: every workspace with a retention).")
def purge_command(workspace_key: str | None) -> None:
    """Delete events past their retention, now.

    Deletes events older than each workspace's events_retention_days, to the end.

    The analytics rollups absorb every settled event first: the retention never
    deletes one they lack (docs/ANALYTICS.md).
    """
    workspace_id = None
    if workspace_key is not None:
        workspace = workspace_or_exit(workspace_key)
        if workspace.events_retention_days is None:
            click.echo(f"{workspace_key} keeps events forever (no events_retention_days).")
            return
        workspace_id = workspace.id
    analytics.rollup(workspace_id=workspace_id, max_batches=None)
    report = retention.purge(workspace_key=workspace_key, max_batches=None)
    for key, deleted in report.deleted.items():
        click.echo(f"{key}: {deleted} event(s) deleted")
    if not report.deleted:
        click.echo("no workspace sets events_retention_days")
