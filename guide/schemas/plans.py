"""Success plans and lifecycle over REST (secret API key)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guide.schemas.base import StrictSchema
from guide.schemas.fields import StrictBoolean


class StepMark(StrictSchema):
    done = StrictBoolean(load_default=True)
    # Who on your team did it (an email or a name), kept as completed_by.
    by = fields.String(load_default="api", validate=validate.Length(1, 255))


class PlanStepOut(Schema):
    id = fields.String()
    title = fields.String(allow_none=True)
    owner = fields.String()
    assignee = fields.String(allow_none=True)
    due_at = fields.String(allow_none=True)
    done = fields.Boolean()
    completed_at = fields.String(allow_none=True)
    completed_by = fields.String(allow_none=True)
    overdue = fields.Boolean()


class PlanOut(Schema):
    key = fields.String()
    title = fields.String(allow_none=True)
    version = fields.Integer()
    steps = fields.List(fields.Nested(PlanStepOut))
    total = fields.Integer()
    done = fields.Integer()
    overdue = fields.Integer()


class AccountPlans(Schema):
    account = fields.String()
    plans = fields.List(fields.Nested(PlanOut))


class MilestoneOut(Schema):
    key = fields.String()
    title = fields.Raw(allow_none=True)
    reached_at = fields.String()
    source = fields.String()
    time_to_value_seconds = fields.Integer()


class LifecycleOut(Schema):
    stage = fields.String(allow_none=True)
    stage_entered_at = fields.String(allow_none=True)
    first_seen = fields.String()
    started_at = fields.String()
    milestones = fields.List(fields.Nested(MilestoneOut))
