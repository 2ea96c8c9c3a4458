"""``guide demo history``: a realistic 90-day history for the demo workspace."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from guide.analytics import history_rows
from guide.cli.common import examples, workspace_or_exit

demo_cli = AppGroup("demo", help="The demo workspace's generated data.", epilog=examples(
    "guide demo history                    # once: kept when there is one",
    "guide demo history --replace --users 300 --days 30"))


@demo_cli.command("history")
@click.option("--workspace", "workspace_key", default="demo", show_default=True,
              help="Workspace key.")
@click.option("--days", default=90, show_default=True, type=click.IntRange(7, 730))
@click.option("--users", default=1500, show_default=True, type=click.IntRange(1, 200_000))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--replace", is_flag=True,
              help="Regenerate the history when there is one (default: keep it).")
def history_command(workspace_key: str, days: int, users: int, seed: int,
                    replace: bool) -> None:
    """Generate the demo workspace's history.

    Users, accounts and their events over the last DAYS days, then rolled up.

    Generated users and accounts have external ids starting with "demo-history-";
    running it again keeps (or, with --replace, replaces) them, never doubles them.
    """
    workspace = workspace_or_exit(workspace_key)
    started = time.perf_counter()
    written = history_rows.generate(workspace, days=days, users=users, seed=seed,
                                    replace=replace)
    if written is None:
        click.echo(f'"{workspace_key}" already has a generated history (--replace to redo it).')
        return
    click.echo(f"{written.users} users in {written.accounts} accounts, {written.events} events, "
               f"{written.escalations} escalations, {written.milestones} milestones, "
               f"{written.firings} scenario firings over {days} days; {written.rolled} events "
               f"rolled up ({time.perf_counter() - started:.1f} s).")
