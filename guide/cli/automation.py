"""``guide worker`` and the workspace's webhook commands."""

from __future__ import annotations

import signal
import threading
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from guide import worker
from guide.cli.common import examples, workspace_or_exit
from guide.cli.content import workspace_cli
from guide.services import support_settings
from guide.services.outbox import endpoint_health, wake_up


@click.command("worker", epilog=examples(
    "guide worker           # until Ctrl-C or SIGTERM",
    "guide worker --once    # from cron: deliver what is due, then exit"))
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit (for cron).")
@with_appcontext
def worker_command(once: bool) -> None:
    """Deliver webhooks, emails and scenario sweeps.

    Runs until SIGTERM or Ctrl-C, finishing the delivery in hand; with --once,
    delivers what is due now and exits (for cron). Start it when the server runs
    with GUIDE_WORKER=off (docs/DEPLOY.md); several may run at once.
    """
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
    """Print the webhook signing secret of workspace KEY.

    A whsec_ secret (Standard Webhooks) that receivers use to check signatures.
    """
    click.echo(support_settings.webhook_secret(workspace_or_exit(key), rotate=rotate))


@workspace_cli.command("webhooks")
@click.argument("key")
@click.option("--enable", "enable_url", default=None, help="Re-enable a disabled endpoint.")
def webhooks_command(key: str, enable_url: str | None) -> None:
    """List webhook endpoints and their health.

    An endpoint is disabled after repeated dead messages; --enable URL turns it on again.
    """
    workspace = workspace_or_exit(key)
    if enable_url is not None and not support_settings.enable_endpoint(workspace, enable_url):
        click.echo(f"No endpoint {enable_url} in {key}.", err=True)
        raise SystemExit(1)
    endpoints = support_settings.endpoints(workspace)
    if not endpoints:
        click.echo("no webhook endpoints (support.webhooks in workspace.yaml)")
    for endpoint in endpoints:
        click.echo(f"{endpoint.url}  {endpoint_health(endpoint)}")
