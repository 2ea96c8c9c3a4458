"""``guide scenarios sweep|firings``: run or rehearse the sweep, list firings."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import click
from flask.cli import AppGroup

from guide.cli.common import examples, workspace_or_exit
from guide.proactive.sweep import sweep
from guide.services import scenarios

scenarios_cli = AppGroup("scenarios", help="Proactive scenarios (docs/PROACTIVE.md).",
                         epilog=examples(
    "guide scenarios sweep --dry-run --at +3d   # who would be nudged in 3 days",
    "guide scenarios firings --scenario connect-data-reminder"))
RELATIVE = re.compile(r"^\+(\d{1,4})([hd])$")


def parse_at(value: str | None) -> datetime | None:
    """``2026-12-01T00:00:00Z`` or ``+3d`` / ``+12h`` from now (to rehearse the future)."""
    if value is None:
        return None
    relative = RELATIVE.match(value)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        delta = timedelta(days=amount) if unit == "d" else timedelta(hours=amount)
        return datetime.now(UTC) + delta
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter("use an ISO time (2026-12-01T00:00:00Z) or +3d / +12h") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


WORKSPACE = click.option("--workspace", "workspace_key", default="demo", show_default=True,
                         help="Workspace key.")


@scenarios_cli.command("sweep")
@WORKSPACE
@click.option("--dry-run", is_flag=True, help="List who would match; act on nobody.")
@click.option("--scenario", "only", default=None, help="Only this scenario.")
@click.option("--at", "at", default=None, help="Pretend it is this time (ISO, or +3d).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def sweep_command(workspace_key: str, dry_run: bool, only: str | None, at: str | None,
                  as_json: bool) -> None:
    """Run the time-based scenarios once.

    What the worker does every sweep_seconds; --dry-run lists who would match.
    """
    workspace = workspace_or_exit(workspace_key)
    reports = sweep(workspace, parse_at(at), dry_run=dry_run, only=only)
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in reports], indent=2, default=str))
        return
    verb = "would fire" if dry_run else "fired"
    for report in reports:
        count = report.matched if dry_run else report.fired
        held = f" ({report.held_out} held out: no action)" if report.held_out else ""
        click.echo(f"{report.scenario}: {verb} for {count}{held}")
        for subject in report.subjects:
            who = subject.get("user") or subject.get("account") or {}
            mark = " held out" if subject.get("held_out") else ""
            click.echo(f"  {who.get('id')} [{subject['window']}]{mark} "
                       f"{json.dumps(subject['details'])}")
    if not reports:
        click.echo("No time-based scenarios (content/scenarios.yaml).")


@scenarios_cli.command("firings")
@WORKSPACE
@click.option("--scenario", "only", default=None, help="Only this scenario.")
@click.option("--limit", default=50, show_default=True)
def firings_command(workspace_key: str, only: str | None, limit: int) -> None:
    """The most recent firings, newest first."""
    workspace = workspace_or_exit(workspace_key)
    for firing, key in scenarios.recent_firings(workspace, only, limit):
        click.echo(f"{firing.fired_at:%Y-%m-%d %H:%M} {key} {firing.subject_type}:"
                   f"{firing.subject_id} [{firing.window}]{' held out' if firing.held_out else ''} "
                   f"{json.dumps(firing.details)}")
