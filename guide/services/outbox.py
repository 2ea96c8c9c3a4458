"""Queue deliveries (webhooks, emails) in the caller's transaction; the worker sends them.

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
from guide.models import OutboxMessage, SupportSettings, WebhookEndpoint, Workspace
from guide.models.base import isoformat, utcnow

# Set after a commit that queued something: an embedded worker wakes up at once.
wake_up = threading.Event()


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def enqueue(workspace: Workspace, event_type: str, data: dict[str, Any]) -> list[OutboxMessage]:
    """One message per active webhook endpoint and per email setting subscribed to the event."""
    now = utcnow()
    body = {"type": event_type, "timestamp": isoformat(now), "data": data}
    messages = []
    endpoints = db.session.scalars(db.select(WebhookEndpoint).where(
        WebhookEndpoint.workspace_id == workspace.id, WebhookEndpoint.configured.is_(True),
        WebhookEndpoint.disabled_at.is_(None)).order_by(WebhookEndpoint.id))
    for endpoint in endpoints:
        if event_type in endpoint.events:
            messages.append(OutboxMessage(
                workspace_id=workspace.id, kind="webhook", target=endpoint.url,
                endpoint_id=endpoint.id, message_id=new_message_id(), event_type=event_type,
                payload=body, status="pending", attempts=0, next_attempt_at=now, created_at=now))
    settings = db.session.get(SupportSettings, workspace.id)
    email = settings.email if settings else None
    if email and event_type in email.get("events", []):
        if current_app.config["GUIDE_SMTP_URL"]:
            messages.append(OutboxMessage(
                workspace_id=workspace.id, kind="email", target=", ".join(email["to"]),
                message_id=new_message_id(), event_type=event_type,
                payload={**body, "from": email.get("from")}, status="pending", attempts=0,
                next_attempt_at=now, created_at=now))
        else:
            current_app.logger.warning("workspace %s wants escalation emails but GUIDE_SMTP_URL "
                                       "is not set; no email queued", workspace.key)
    db.session.add_all(messages)
    return messages
