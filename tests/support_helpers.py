"""Helpers for escalation, outbox and inbox tests: support settings, escalating users."""

from __future__ import annotations

import uuid
from typing import Any

from guide.extensions import db
from guide.models import SupportSettings, WebhookEndpoint, Workspace

EVENTS = ["escalation.created", "escalation.updated"]


def configure_support(ws: Workspace, *, webhooks: list[str] = (), email: dict[str, Any] | None = None,
                      allow_private: bool = True) -> SupportSettings:
    """Support settings as `content push` would write them (tests allow loopback)."""
    settings = db.session.get(SupportSettings, ws.id) or SupportSettings(workspace_id=ws.id)
    settings.email, settings.allow_private_webhooks = email, allow_private
    db.session.add(settings)
    for url in webhooks:
        db.session.add(WebhookEndpoint(workspace_id=ws.id, url=url, events=list(EVENTS)))
    db.session.commit()
    return settings


def escalate_payload(**fields: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "message": "I cannot connect my database",
            "severity": "blocked", **fields}


def escalate_http(client: Any, token: str, headers: dict[str, str] | None = None,
                  **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/widget/events", json={"envelopes": [
        {"type": "help:escalate", "data": escalate_payload(**fields)}]},
        headers={"Authorization": f"Bearer {token}", **(headers or {})})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"][0]
