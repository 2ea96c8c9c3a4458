"""Guide health reports (GET /api/v1/guides/health)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guide.schemas.base import StrictSchema


class HealthQuery(StrictSchema):
    days = fields.Integer(load_default=30, validate=validate.Range(1, 365))


class MissingTarget(Schema):
    guide = fields.String()
    step = fields.String()
    selector = fields.String()
    count = fields.Integer(metadata={"description": "Times the target was missing."})
    users = fields.Integer(metadata={"description": "Distinct users who hit it."})
    last_seen = fields.String()
    current_selector = fields.String(allow_none=True)
    in_published_version = fields.Boolean(
        metadata={"description": "The published step still uses this selector."}
    )
    pages = fields.List(fields.String())


class HealthReport(Schema):
    missing_targets = fields.List(fields.Nested(MissingTarget))
