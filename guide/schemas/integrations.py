"""A workspace's Slack settings over the admin's JSON API (docs/INTEGRATIONS.md)."""

from __future__ import annotations

from marshmallow import Schema, fields

from guide.schemas.base import StrictSchema


class SlackSettingsIn(StrictSchema):
    """``webhook_url``: omitted keeps the stored one, null or "" removes it."""

    webhook_url = fields.String(allow_none=True)
    events = fields.List(fields.String(), required=True)


class SlackSettingsOut(Schema):
    configured = fields.Boolean()
    webhook_url = fields.String(allow_none=True, metadata={"description": "masked"})
    events = fields.List(fields.String())
    available_events = fields.List(fields.String())
