"""A workspace's event forwarding settings: a Segment-compatible write key and endpoint.

The worker forwards the workspace's events from the moment forwarding is
turned on (``guide.automation.forwarding``); the write key is a secret, shown
masked and never copied into an outbox row or the audit log. See
docs/INTEGRATIONS.md.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import ValidationError

from guide.errors import InvalidPayload
from guide.extensions import db
from guide.models import Author, Event, IntegrationSettings, Workspace
from guide.models.integrations import SEGMENT_BATCH_URL
from guide.schemas.fields import check_link
from guide.services.integrations import KEEP, URL_LENGTH, masked, save, set_secret
from guide.wording import N_

KEY_LENGTH = 200


def view(workspace: Workspace) -> dict[str, Any]:
    settings = db.session.get(IntegrationSettings, workspace.id)
    key = settings.forward_write_key if settings else None
    return {"enabled": bool(key), "write_key": masked(key) if key else None,
            "url": (settings.forward_url if settings else None) or SEGMENT_BATCH_URL,
            "default_url": SEGMENT_BATCH_URL}


def _check(write_key: Any, url: str | None) -> None:
    fields: dict[str, list[str]] = {}
    if isinstance(write_key, str) and (len(write_key) > KEY_LENGTH or not write_key.isprintable()
                                       or any(ch.isspace() for ch in write_key)):
        fields["write_key"] = [N_("A write key is 1-%(most)d characters without spaces.",
                                  most=KEY_LENGTH)]
    if url is not None:
        try:
            check_link(url, relative=False)
            plain = url.startswith("http://") and current_app.config["GUIDE_WEBHOOK_ALLOW_PRIVATE"]
            if not (url.startswith("https://") or plain) or len(url) > URL_LENGTH:
                raise ValidationError(N_("Must be an https URL of at most %(most)d characters.",
                                         most=URL_LENGTH))
        except ValidationError as error:
            fields["url"] = error.messages  # type: ignore[assignment]
    if fields:
        raise InvalidPayload(N_("Invalid event forwarding settings; see fields."), fields=fields)


def configure(actor: Author | str, workspace: Workspace, write_key: Any = KEEP,
              url: str | None = None) -> None:
    """Set the endpoint (None or "": Segment's) and, unless ``KEEP``, the write key (None or
    "" turns forwarding off). Turned on, it starts with the events recorded from now on.
    Audited without the key. Commits."""
    write_key = write_key.strip() or None if isinstance(write_key, str) else write_key
    url = (url or "").strip() or None
    _check(write_key, url)
    settings = IntegrationSettings.of(workspace.id)
    details: dict[str, Any] = {}
    if write_key not in (KEEP, None) and not settings.forward_write_key:
        settings.forward_after = db.session.scalar(db.select(db.func.max(Event.id)).where(
            Event.workspace_id == workspace.id)) or 0
    set_secret(settings, "forward_write_key", write_key, details, "write_key")
    if url != settings.forward_url:
        settings.forward_url = details["url"] = url
    save(actor, settings, "forwarding", details)
