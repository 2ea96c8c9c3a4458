"""What the widget endpoints answer (docs/PROTOCOL.md), for the OpenAPI document.

The bootstrap and events views return what their services built, unchanged (the
bootstrap is the hot path: dumping it again through a schema is work for nothing);
these schemas describe that JSON and are checked against real answers by
tests/unit/test_openapi_contract.py and the schemathesis suite.
"""

from __future__ import annotations

from marshmallow import Schema, fields


class BootstrapUserOut(Schema):
    id = fields.String(required=True)
    locale = fields.String(required=True, metadata={
        "description": "The locale strings and guides are in (a trait, the browser's, or "
                       "the workspace's default)."})


class BootstrapWorkspaceOut(Schema):
    name = fields.String(required=True)
    locale = fields.String(required=True)
    theme = fields.Dict(required=True)
    support_url = fields.String(required=True, allow_none=True)
    help_enabled = fields.Boolean(required=True)


class SocketOut(Schema):
    namespace = fields.String(required=True)
    path = fields.String(required=True)
    token = fields.String(required=True)
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds."})


class BootstrapOut(Schema):
    user = fields.Nested(BootstrapUserOut, required=True)
    workspace = fields.Nested(BootstrapWorkspaceOut, required=True)
    guides = fields.List(fields.Dict(), required=True, metadata={
        "description": "Published guides offered to this user, localized."})
    progress = fields.Dict(required=True, metadata={"description": "Guide key -> progress."})
    surveys = fields.List(fields.Dict(), required=True, metadata={
        "description": "Surveys offered to this user, with due and state (docs/SURVEYS.md)."})
    announcements = fields.List(fields.Dict(), required=True, metadata={
        "description": "Announcements in their dates, not dismissed, with unread."})
    announcements_unread = fields.Integer(required=True, metadata={
        "description": "The launcher's badge: announcements not seen yet."})
    hotspots = fields.List(fields.Dict(), required=True)
    tooltips = fields.List(fields.Dict(), required=True)
    strings = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    preview = fields.Dict(metadata={
        "description": "Only with a preview token: the draft shown, or why not."})
    socket = fields.Nested(SocketOut, required=True)


class EventsOut(Schema):
    results = fields.List(fields.Dict(), required=True, metadata={
        "description": "One acknowledgement per envelope, in order (docs/PROTOCOL.md)."})
    nudges = fields.List(fields.Dict(), metadata={
        "description": 'Only when asked with "nudges": true: the waiting nudges.'})
