"""A workspace's integrations: where Slack notifications go and which events it gets, and
where its events are forwarded (a Segment-compatible endpoint); docs/INTEGRATIONS.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guide.extensions import db
from guide.models.base import BigId, JSONType, UTCDateTime, utcnow

# The per-event toggles an admin turns on, in the order the settings page lists them.
SLACK_EVENTS = ("escalation", "scenario_task", "survey_detractor")
# Segment's HTTP Tracking API; RudderStack and other collectors take the same body.
SEGMENT_BATCH_URL = "https://api.segment.io/v1/batch"
# NPS 0-6: a detractor (NPS's own definition).
DETRACTOR_MAX = 6


def slack_event_of(event_type: str, data: dict[str, Any]) -> str | None:
    """The Slack toggle an outbox event falls under, or None (Slack never hears of it).

    A new escalation is a user's (``escalation``) or a scenario's task
    (``scenario_task``); a survey answer only when its NPS score makes a detractor.
    """
    if event_type == "escalation.created":
        origin = (data.get("escalation") or {}).get("origin")
        return "scenario_task" if origin == "scenario" else "escalation"
    if event_type == "survey.answered":
        score = data.get("score")
        return "survey_detractor" if isinstance(score, int) and score <= DETRACTOR_MAX else None
    return None


class IntegrationSettings(db.Model):
    """One row per workspace that configured an integration (admin settings page)."""

    __tablename__ = "integration_settings"

    workspace_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    # A Slack incoming-webhook URL: a secret (anyone holding it may post to the channel),
    # stored like the webhook signing secret and shown masked.
    slack_webhook_url: Mapped[str | None] = mapped_column(sa.String(500))
    slack_events: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Event forwarding: the write key (a secret, shown masked), the batch endpoint (None:
    # Segment's) and the last event id forwarded (the worker's cursor).
    forward_write_key: Mapped[str | None] = mapped_column(sa.String(200))
    forward_url: Mapped[str | None] = mapped_column(sa.String(500))
    forward_after: Mapped[int] = mapped_column(BigId, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @staticmethod
    def of(workspace_id: int) -> IntegrationSettings:
        """The workspace's row, added to the session if it has none yet."""
        settings = db.session.get(IntegrationSettings, workspace_id)
        if settings is None:
            settings = IntegrationSettings(workspace_id=workspace_id, slack_events=[],
                                           forward_after=0)
            db.session.add(settings)
        return settings

    def slack_wants(self, event_type: str, data: dict[str, Any]) -> bool:
        """Is Slack configured and is this event's toggle on?"""
        wanted = slack_event_of(event_type, data)
        return bool(self.slack_webhook_url) and wanted in (self.slack_events or [])
