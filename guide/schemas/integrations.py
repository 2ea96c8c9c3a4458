"""A workspace's Slack and event forwarding settings over the admin's JSON API
(docs/INTEGRATIONS.md)."""

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


class ForwardingIn(StrictSchema):
    """``write_key``: omitted keeps the stored one, null or "" turns forwarding off;
    ``url``: null, "" or omitted is Segment's endpoint."""

    write_key = fields.String(allow_none=True)
    url = fields.String(allow_none=True, load_default=None)


class ForwardingOut(Schema):
    enabled = fields.Boolean()
    write_key = fields.String(allow_none=True, metadata={"description": "masked"})
    url = fields.String()
    default_url = fields.String()
