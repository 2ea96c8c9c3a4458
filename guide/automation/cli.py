"""``flask guide worker`` and the workspace's webhook commands."""

from __future__ import annotations

import signal
import threading
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from guide.cli import workspace_or_exit
from guide.content.cli import workspace_cli
from guide.services.outbox import endpoint_health, wake_up


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit (for cron).")
@with_appcontext
def worker_command(once: bool) -> None:
    """Deliver webhooks and emails until SIGTERM/SIGINT (finishing the one in hand)."""
    from guide.automation import worker

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
    from guide.extensions import db
    from guide.models import SupportSettings
    from guide.models.outbox import new_webhook_secret

    workspace = workspace_or_exit(key)
    settings = db.session.get(SupportSettings, workspace.id)
    if settings is None:
        settings = SupportSettings(workspace_id=workspace.id, allow_private_webhooks=False)
        db.session.add(settings)
    if rotate or not settings.webhook_secret:
        settings.webhook_secret = new_webhook_secret()
    db.session.commit()
    click.echo(settings.webhook_secret)


@workspace_cli.command("webhooks")
@click.argument("key")
@click.option("--enable", "enable_url", default=None, help="Re-enable a disabled endpoint.")
def webhooks_command(key: str, enable_url: str | None) -> None:
    """List webhook endpoints and their health; re-enable one with --enable URL."""
    from guide.extensions import db
    from guide.models import WebhookEndpoint

    workspace = workspace_or_exit(key)
    endpoints = list(db.session.scalars(db.select(WebhookEndpoint).where(
        WebhookEndpoint.workspace_id == workspace.id).order_by(WebhookEndpoint.id)))
    if enable_url is not None:
        match = next((e for e in endpoints if e.url == enable_url), None)
        if match is None:
            click.echo(f"No endpoint {enable_url} in {key}.", err=True)
            raise SystemExit(1)
        match.disabled_at = match.disabled_reason = match.failing_since = None
        match.consecutive_dead = 0
        db.session.commit()
    if not endpoints:
        click.echo("no webhook endpoints (support.webhooks in workspace.yaml)")
    for endpoint in endpoints:
        click.echo(f"{endpoint.url}  {endpoint_health(endpoint)}")

