"""A workspace's support settings: escalation email, webhook endpoints and their secret.

``apply`` stores the ``support:`` section of ``workspace.yaml`` in the
caller's transaction (``content push``); ``document`` reads it back for
``content pull``. ``webhook_secret`` and ``enable_endpoint`` are whole changes
(they commit), for the ``flask guide workspace`` commands.
"""

from __future__ import annotations

from typing import Any

from guide.extensions import db
from guide.models import Author, SupportSettings, WebhookEndpoint, Workspace
from guide.models.base import utcnow
from guide.models.outbox import new_webhook_secret
from guide.services import audit


def _settings(workspace: Workspace) -> tuple[SupportSettings, bool]:
    """The workspace's row, added to the session if it had none; ``(row, created)``."""
    settings = db.session.get(SupportSettings, workspace.id)
    if settings is not None:
        return settings, False
    settings = SupportSettings(workspace_id=workspace.id, allow_private_webhooks=False)
    db.session.add(settings)
    return settings, True


def endpoints(workspace: Workspace) -> list[WebhookEndpoint]:
    """Every webhook endpoint the workspace ever had, oldest first."""
    return list(db.session.scalars(db.select(WebhookEndpoint).where(
        WebhookEndpoint.workspace_id == workspace.id).order_by(WebhookEndpoint.id)))


def apply(workspace: Workspace, support: dict[str, Any] | None, actor: Author | str,
          **details: Any) -> bool:
    """Email settings and webhook endpoints from ``support:``; True when anything changed
    (audited as ``settings.update`` on ``support``, with ``details``).

    Endpoints keep their health across pushes; one removed from the file stays
    (for its history) but no longer receives anything. The signing secret is
    generated once by the model and never comes from a file.
    """
    support = support or {}
    settings, changed = _settings(workspace)
    wanted = {"email": support.get("email"),
              "allow_private_webhooks": support.get("allow_private_webhooks", False)}
    for name, value in wanted.items():
        if getattr(settings, name) != value:
            setattr(settings, name, value)
            changed = True
    hooks = {hook["url"]: hook["events"] for hook in support.get("webhooks", [])}
    known = {endpoint.url: endpoint for endpoint in endpoints(workspace)}
    for url, endpoint in known.items():
        configured, events = url in hooks, hooks.get(url, endpoint.events)
        if (endpoint.configured, endpoint.events) != (configured, events):
            endpoint.configured, endpoint.events, changed = configured, events, True
    for url in hooks.keys() - known.keys():
        db.session.add(WebhookEndpoint(workspace_id=workspace.id, url=url, events=hooks[url]))
        changed = True
    if changed:
        settings.updated_at = utcnow()
        audit.record(workspace.id, actor, "settings.update", "support", **details)
    db.session.flush()
    return changed


def document(workspace: Workspace) -> dict[str, Any]:
    """``support:`` as ``workspace.yaml`` writes it (empty when there is nothing to say)."""
    support: dict[str, Any] = {}
    if workspace.support_url:
        support["url_template"] = workspace.support_url
    settings = db.session.get(SupportSettings, workspace.id)
    if settings is not None and settings.email:
        support["email"] = {k: v for k, v in settings.email.items() if v is not None}
    webhooks = [{"url": hook.url, "events": list(hook.events)}
                for hook in endpoints(workspace) if hook.configured]
    if webhooks:
        support["webhooks"] = webhooks
    if settings is not None and settings.allow_private_webhooks:
        support["allow_private_webhooks"] = True
    return support


def webhook_secret(workspace: Workspace, *, rotate: bool = False) -> str:
    """The workspace's webhook signing secret (``whsec_...``), created if missing;
    ``rotate`` replaces it. Commits."""
    settings, _ = _settings(workspace)
    if rotate or not settings.webhook_secret:
        settings.webhook_secret = new_webhook_secret()
    db.session.commit()
    return settings.webhook_secret


def enable_endpoint(workspace: Workspace, url: str) -> bool:
    """Re-enable a disabled endpoint (its failure streak forgotten); False if there is no
    endpoint ``url`` in the workspace. Commits."""
    endpoint = db.session.scalar(db.select(WebhookEndpoint).where(
        WebhookEndpoint.workspace_id == workspace.id, WebhookEndpoint.url == url))
    if endpoint is None:
        return False
    endpoint.disabled_at = endpoint.disabled_reason = endpoint.failing_since = None
    endpoint.consecutive_dead = 0
    db.session.commit()
    return True
