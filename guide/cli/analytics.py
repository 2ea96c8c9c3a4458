"""``guide analytics rollup``: fold the backlog now, with progress (docs/ANALYTICS.md).

The worker folds a bounded amount every round; after an upgrade, a restore or
a large import an operator may want the whole backlog folded at once, or the
rollups rebuilt from the first event.
"""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from guide import analytics
from guide.analytics.rollup import ANALYZE_AFTER, BATCH, analyze, rebuild
from guide.cli.common import examples, workspace_or_exit

analytics_cli = AppGroup("analytics", help="Analytics rollups (docs/ANALYTICS.md).",
                         epilog=examples("guide analytics rollup",
                                         "guide analytics rollup --workspace demo --rebuild"))
# Batches per progress line.
STRIDE = 10


@analytics_cli.command("rollup")
@click.option("--workspace", "workspace_key", default=None,
              help="Only this workspace (default: every workspace).")
@click.option("--rebuild", "again", is_flag=True,
              help="Forget the workspace's rollups first and fold every event again "
                   "(needs --workspace).")
@click.option("--batch", type=click.IntRange(100, 100_000), default=BATCH,
              show_default=True, help="Events per transaction.")
def rollup_command(workspace_key: str | None, again: bool, batch: int) -> None:
    """Fold the events not rolled up yet, now.

    Every settled event the worker has not folded yet, printing the rate as it goes.
    """
    if again and workspace_key is None:
        raise click.UsageError("--rebuild needs --workspace")
    workspace_id = workspace_or_exit(workspace_key).id if workspace_key else None
    if again:
        rebuild(workspace_id)  # type: ignore[arg-type]
        click.echo(f"{workspace_key}: rollups forgotten, folding every event again")
    started, total, more = time.perf_counter(), 0, True
    while more:
        rolled = analytics.rollup(workspace_id=workspace_id, batch=batch, max_batches=STRIDE)
        total, more = total + rolled.total, rolled.more
        seconds = time.perf_counter() - started
        click.echo(f"{total:,} event(s) rolled up in {seconds:.1f} s "
                   f"({total / seconds if seconds else 0:,.0f}/s){' ...' if more else ''}")
    if total >= ANALYZE_AFTER:
        analyze()
        click.echo("planner statistics of the rollup tables refreshed (ANALYZE)")
