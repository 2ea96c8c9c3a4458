"""A workspace's Slack notifications: its incoming-webhook URL and event toggles.

The URL is a secret (whoever holds it may post to the channel): it is stored
like the webhook signing secret, shown masked, and never copied into an
outbox row or the audit log; the worker reads it when it sends. Which events
reach Slack is decided where every delivery is queued (``outbox.enqueue_many``).
See docs/INTEGRATIONS.md.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app

from guide.errors import Conflict, InvalidPayload
from guide.extensions import db
from guide.models import Author, IntegrationSettings, Workspace
from guide.models.base import isoformat, utcnow
from guide.models.integrations import SLACK_EVENTS
from guide.services import audit, outbox
from guide.services.integrations import KEEP, URL_LENGTH, masked, save, set_secret
from guide.wording import N_

# T<team>/B<channel hook>/<token>: the shape Slack gives every incoming webhook.
_PATH = re.compile(r"/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+")


def settings_of(workspace_id: int) -> IntegrationSettings | None:
    return db.session.get(IntegrationSettings, workspace_id)


def webhook_url(workspace_id: int) -> str | None:
    settings = settings_of(workspace_id)
    return settings.slack_webhook_url if settings else None


def check_url(url: str) -> None:
    """Raise ``InvalidPayload`` unless ``url`` is an incoming-webhook URL of the Slack
    this server talks to (``GUIDE_SLACK_WEBHOOK_BASE``)."""
    base = current_app.config["GUIDE_SLACK_WEBHOOK_BASE"]
    path = url[len(base):] if url.startswith(base) else ""
    if len(url) > URL_LENGTH or not _PATH.fullmatch(path):
        raise InvalidPayload(
            N_("Not a Slack incoming-webhook URL."),
            fields={"webhook_url": [N_("Must look like %(base)s/services/T.../B.../... (Slack: "
                                       "your app > Incoming Webhooks > Add New Webhook).",
                                       base=base)]})


def view(workspace: Workspace) -> dict[str, Any]:
    """What the settings page and the API show: never the URL itself."""
    settings = settings_of(workspace.id)
    url = settings.slack_webhook_url if settings else None
    return {"configured": bool(url), "webhook_url": masked(url) if url else None,
            "events": [e for e in SLACK_EVENTS if settings and e in settings.slack_events],
            "available_events": list(SLACK_EVENTS)}


def configure(actor: Author, workspace: Workspace, events: list[str], url: Any = KEEP) -> None:
    """Set the toggles and, unless ``url`` is ``KEEP``, the URL (``None`` or "" removes it);
    audited without the URL. Commits."""
    strangers = sorted(set(events) - set(SLACK_EVENTS))
    if strangers:
        raise InvalidPayload(N_("Unknown Slack events."), fields={"events": [
            N_("Unknown: %(names)s; one of %(known)s.", names=", ".join(strangers),
               known=", ".join(SLACK_EVENTS))]})
    if isinstance(url, str):
        url = url.strip() or None
    if url not in (KEEP, None):
        check_url(url)
    settings = IntegrationSettings.of(workspace.id)
    wanted = [e for e in SLACK_EVENTS if e in events]
    details: dict[str, Any] = {}
    set_secret(settings, "slack_webhook_url", url, details, "webhook_url")
    if wanted != settings.slack_events:
        settings.slack_events = details["events"] = wanted
    save(actor, settings, "slack", details)


def send_test(actor: Author, workspace: Workspace) -> None:
    """Queue a test message to the workspace's channel (delivered by the worker). Commits."""
    if not webhook_url(workspace.id):
        raise Conflict(N_("Slack is not configured: save an incoming-webhook URL first."),
                       code="slack_not_configured")
    now = utcnow()
    body = {"type": "slack.test", "timestamp": isoformat(now),
            "data": {"workspace": workspace.name, "by": audit.actor_name(actor)}}
    outbox.insert_messages([outbox.message_row(workspace, "slack", "slack", "slack.test",
                                               body, now)])
    db.session.commit()
    outbox.wake_up.set()
