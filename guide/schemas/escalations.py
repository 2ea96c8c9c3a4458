"""Support-side escalation endpoints (secret API key)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guide.schemas.base import StrictSchema
from guide.schemas.users import AccountContextOut, Dumped, UserContextOut

STATUS = validate.OneOf(["open", "acknowledged", "resolved"])


class EscalationQuery(StrictSchema):
    status = fields.String(load_default=None, validate=STATUS)
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class EscalationPatch(StrictSchema):
    status = fields.String(required=True,
                           validate=validate.OneOf(["acknowledged", "resolved"]))
    note = fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(1, 5000))


class EscalationOut(Schema):
    reference = fields.String()
    status = fields.String()
    severity = fields.String()
    message = fields.String()
    summary = fields.String()
    user = fields.Dict(allow_none=True)
    account = fields.String(allow_none=True)
    guide = fields.String(allow_none=True)
    step = fields.String(allow_none=True)
    article = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    history = fields.List(fields.Dict())
    created_at = fields.String()
    updated_at = fields.String()
    links = fields.Dict()
    context = fields.Dict()


class EscalationList(Schema):
    escalations = fields.List(fields.Nested(EscalationOut))


class Timeline(Schema):
    user = Dumped(UserContextOut)
    account = Dumped(AccountContextOut, allow_none=True)
    items = fields.List(fields.Dict())
