"""Sign and send one webhook, per the Standard Webhooks spec (docs/WEBHOOKS.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app
from standardwebhooks.webhooks import Webhook

from guide.automation.http import post
from guide.extensions import db
from guide.models import OutboxMessage, SupportSettings


class DeliveryFailed(Exception):
    """The receiver did not take the message; it will be retried."""


def signed_headers(secret: str, message_id: str, body: str, now: datetime) -> dict[str, str]:
    """``webhook-id`` (stable across retries), ``webhook-timestamp``, ``webhook-signature``."""
    signature = Webhook(secret).sign(message_id, now, body)
    return {"webhook-id": message_id, "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature}


def private_allowed(workspace_id: int) -> bool:
    """May the workspace's deliveries reach loopback or private addresses (and plain http)?"""
    settings = db.session.get(SupportSettings, workspace_id)
    return bool(settings and settings.allow_private_webhooks) or \
        current_app.config["GUIDE_WEBHOOK_ALLOW_PRIVATE"]


def prepare(message: OutboxMessage) -> Callable[[], None]:
    """Read and sign what the delivery needs; the call returned only talks to the
    network (a 2xx answer counts; redirects are not followed)."""
    settings = db.session.get(SupportSettings, message.workspace_id)
    if settings is None:
        raise DeliveryFailed("the workspace has no support settings (push its content)")
    allow_private = private_allowed(message.workspace_id)
    body = json.dumps(message.payload, separators=(",", ":"), ensure_ascii=False)
    headers = signed_headers(settings.webhook_secret, message.message_id, body,
                             datetime.now(UTC))
    target, timeout = message.target, current_app.config["GUIDE_WEBHOOK_TIMEOUT"]
    return lambda: deliver(target, body.encode(), headers, timeout=timeout,
                           allow_private=allow_private)


def deliver(url: str, body: bytes, headers: dict[str, str], *, timeout: float,
            allow_private: bool) -> None:
    """POST ``body``; anything but a 2xx answer raises ``DeliveryFailed`` (retried)."""
    answer = post(url, body, headers, timeout=timeout, allow_private=allow_private)
    if not 200 <= answer.status < 300:
        detail = answer.body.strip().replace("\n", " ")[:200]
        raise DeliveryFailed(f"HTTP {answer.status}" + (f": {detail}" if detail else ""))
