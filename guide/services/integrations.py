"""What the Slack and event forwarding settings share: secrets kept, masked and audited
without their value (docs/INTEGRATIONS.md)."""

from __future__ import annotations

from typing import Any

from guide.extensions import db
from guide.models import Author, IntegrationSettings
from guide.models.base import utcnow
from guide.services import audit

KEEP: Any = object()  # a configure() argument: leave the stored secret as it is
URL_LENGTH = 500


def masked(secret: str) -> str:
    """A secret hidden but for its last 4 characters (enough to tell two apart); a URL keeps
    everything before its last path segment."""
    head, slash, token = secret.rpartition("/")
    return f"{head}{slash}{'•' * 8}{token[-4:]}"


def set_secret(settings: IntegrationSettings, column: str, value: Any,
               details: dict[str, Any], label: str) -> None:
    """Store ``value`` in ``column`` (None removes it) unless it is ``KEEP`` or unchanged;
    ``details[label]`` says "set" or "removed", never the secret."""
    if value is not KEEP and value != getattr(settings, column):
        setattr(settings, column, value)
        details[label] = "set" if value else "removed"


def save(actor: Author | str, settings: IntegrationSettings, target: str,
         details: dict[str, Any]) -> None:
    """Commit the settings; audited as ``settings.update`` on ``target`` if anything changed."""
    if details:
        settings.updated_at = utcnow()
        audit.record(settings.workspace_id, actor, "settings.update", target, **details)
    db.session.commit()
