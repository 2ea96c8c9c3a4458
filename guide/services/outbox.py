"""Queue deliveries (webhooks, emails, Slack) in the caller's transaction; the worker sends them.

Writing the outbox row in the same transaction as the change means a
delivery exists exactly when the change does: no escalation without its
webhook, no webhook for a rolled-back escalation.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from flask import current_app

from guide.extensions import db
from guide.models import (
    IntegrationSettings,
    OutboxMessage,
    SupportSettings,
    WebhookEndpoint,
    Workspace,
)
from guide.models.base import isoformat, utcnow

# Set after a commit that queued something: an embedded worker wakes up at once.
wake_up = threading.Event()


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def enqueue(workspace: Workspace, event_type: str, data: dict[str, Any]) -> int:
    """One message per active webhook endpoint, per email setting and per Slack toggle
    subscribed to the event; returns how many were queued."""
    return enqueue_many(workspace, event_type, [data])


def enqueue_many(workspace: Workspace, event_type: str, items: list[dict[str, Any]]) -> int:
    """``enqueue`` for many events of one type (a sweep's firings): the settings are read
    once and the rows written in one executemany."""
    now = utcnow()
    endpoints = [endpoint for endpoint in db.session.scalars(db.select(WebhookEndpoint).where(
        WebhookEndpoint.workspace_id == workspace.id, WebhookEndpoint.configured.is_(True),
        WebhookEndpoint.disabled_at.is_(None)).order_by(WebhookEndpoint.id))
        if event_type in endpoint.events]
    settings = db.session.get(SupportSettings, workspace.id)
    email = settings.email if settings else None
    wants_email = bool(email and event_type in email.get("events", []))
    if wants_email and not current_app.config["GUIDE_SMTP_URL"]:
        current_app.logger.warning("workspace %s wants %s emails but GUIDE_SMTP_URL is not set; "
                                   "no email queued", workspace.key, event_type)
        wants_email = False
    integrations = db.session.get(IntegrationSettings, workspace.id)
    rows = []
    for data in items:
        body = {"type": event_type, "timestamp": isoformat(now), "data": data}
        rows += [message_row(workspace, "webhook", endpoint.url, event_type, body, now,
                             endpoint_id=endpoint.id) for endpoint in endpoints]
        if wants_email and email:
            rows.append(message_row(workspace, "email", ", ".join(email["to"]), event_type,
                                    {**body, "from": email.get("from")}, now))
        if integrations is not None and integrations.slack_wants(event_type, data):
            # The target is not the URL: a secret, read by the worker when it sends.
            rows.append(message_row(workspace, "slack", "slack", event_type, body, now))
    return insert_messages(rows)


def message_row(workspace: Workspace, kind: str, target: str, event_type: str,
                payload: dict[str, Any], now: Any, endpoint_id: int | None = None
                ) -> dict[str, Any]:
    return {"workspace_id": workspace.id, "kind": kind, "target": target,
            "endpoint_id": endpoint_id, "message_id": new_message_id(), "event_type": event_type,
            "payload": payload, "status": "pending", "attempts": 0, "next_attempt_at": now,
            "created_at": now}


def insert_messages(rows: list[dict[str, Any]]) -> int:
    """Write outbox rows in the caller's transaction (one executemany, no ORM objects)."""
    if rows:
        db.session.execute(db.insert(OutboxMessage.__table__), rows)
    return len(rows)


def endpoint_health(endpoint: WebhookEndpoint) -> str:
    """``ok``, ``failing since ...``, ``DISABLED (reason)`` or ``not configured``."""
    if not endpoint.configured:
        return "not configured (removed from workspace.yaml)"
    if endpoint.disabled_at is not None:
        since = f"{endpoint.disabled_at:%Y-%m-%d %H:%M} UTC"
        return f"DISABLED since {since} ({endpoint.disabled_reason})"
    if endpoint.failing_since is not None:
        return f"failing since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC: {endpoint.last_error}"
    return "ok"
