"""``flask guide worker`` and the workspace's webhook commands."""

from __future__ import annotations

import signal
import threading
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from guide import worker
from guide.cli.common import workspace_or_exit
from guide.cli.content import workspace_cli
from guide.services import support_settings
from guide.services.outbox import endpoint_health, wake_up


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit (for cron).")
@with_appcontext
def worker_command(once: bool) -> None:
    """Deliver webhooks and emails until SIGTERM/SIGINT (finishing the one in hand)."""
    if once:
        click.echo(f"{worker.process_due()} message(s) attempted")
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stop = threading.Event()

    def _stop(signum: int, _frame: Any) -> None:
        stop.set()
        wake_up.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo("outbox worker running; stop with Ctrl-C or SIGTERM", err=True)
    worker.run(app, stop)


@workspace_cli.command("webhook-secret")
@click.argument("key")
@click.option("--rotate", is_flag=True, help="Replace the secret (receivers must update theirs).")
def webhook_secret_command(key: str, rotate: bool) -> None:
    """Print the workspace's webhook signing secret (whsec_..., Standard Webhooks)."""
    click.echo(support_settings.webhook_secret(workspace_or_exit(key), rotate=rotate))


@workspace_cli.command("webhooks")
@click.argument("key")
@click.option("--enable", "enable_url", default=None, help="Re-enable a disabled endpoint.")
def webhooks_command(key: str, enable_url: str | None) -> None:
    """List webhook endpoints and their health; re-enable one with --enable URL."""
    workspace = workspace_or_exit(key)
    if enable_url is not None and not support_settings.enable_endpoint(workspace, enable_url):
        click.echo(f"No endpoint {enable_url} in {key}.", err=True)
        raise SystemExit(1)
    endpoints = support_settings.endpoints(workspace)
    if not endpoints:
        click.echo("no webhook endpoints (support.webhooks in workspace.yaml)")
    for endpoint in endpoints:
        click.echo(f"{endpoint.url}  {endpoint_health(endpoint)}")
