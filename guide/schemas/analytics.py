"""Analytics reports: the range a report covers, and the Guide report as the API answers it
(docs/ANALYTICS.md defines every number)."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from guide.schemas.base import StrictSchema

# Days a report may name: wide enough for any history, narrow enough that the previous
# period of a range (the comparison) is still a calendar date.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)
DAY = validate.Range(min=FIRST_DAY, max=LAST_DAY,
                     error=f"A day from {FIRST_DAY} to {LAST_DAY} (YYYY-MM-DD).")
PRESETS = (7, 30, 90)


class GuideReportQuery(StrictSchema):
    """``?start=YYYY-MM-DD&end=YYYY-MM-DD``: local days in the workspace's timezone, inclusive."""

    start = fields.Date(required=True, validate=DAY,
                        metadata={"description": "First local day of the range."})
    end = fields.Date(required=True, validate=DAY,
                      metadata={"description": "Last local day of the range (included)."})


class ReportRangeQuery(StrictSchema):
    """The admin's range: a preset (``days``, ending today) or custom ``start``/``end``."""

    days = fields.Integer(load_default=None, validate=validate.OneOf(PRESETS))
    start = fields.Date(load_default=None, validate=DAY)
    end = fields.Date(load_default=None, validate=DAY)

    @validates_schema
    def _one_kind(self, data: dict[str, object], **_: object) -> None:
        if data["days"] is not None and (data["start"] or data["end"]):
            raise ValidationError("Choose a preset or start and end days, not both.", "days")


class Count(Schema):
    total = fields.Integer(metadata={"description": "How many times."})
    unique = fields.Integer(metadata={"description": "Distinct users, over the whole range."})


class Timing(Schema):
    count = fields.Integer(metadata={"description": "Durations measured."})
    median = fields.Float(allow_none=True, metadata={"description": "Seconds, nearest rank."})
    p90 = fields.Float(allow_none=True, metadata={"description": "Seconds, nearest rank."})


class DayTotals(Schema):
    day = fields.String(metadata={"description": "A local day, YYYY-MM-DD."})
    eligible = fields.Integer()
    seen = fields.Integer()
    checklist_open = fields.Integer()
    started = fields.Integer()
    completed = fields.Integer()
    dismissed = fields.Integer()
    snoozed = fields.Integer()


class FunnelStep(Schema):
    step = fields.String()
    completed = fields.Integer(metadata={"description": "Unique users who newly completed it."})
    drop_off = fields.Integer(metadata={
        "description": "The previous step's completed (first step: unique started) minus this."})
    drop_off_rate = fields.Float(allow_none=True)
    shown = fields.Integer(metadata={"description": "Tour steps: $step_shown events."})
    expanded = fields.Integer(metadata={"description": "Checklist items: $item_expanded events."})
    clicked = fields.Integer(metadata={
        "description": "Checklist items: $item_clicked events (the step's action button)."})
    target_missing = fields.Integer()
    help_opened = fields.Integer()
    escalations = fields.Integer()
    time_on_step = fields.Nested(Timing)


class Unattributed(Schema):
    target_missing = fields.Integer()
    help_opened = fields.Integer()
    escalations = fields.Integer()


class GuideReport(Schema):
    """docs/ANALYTICS.md, "The Guide report"."""

    guide = fields.String()
    kind = fields.String(metadata={"description": "checklist, tour or plan"})
    timezone = fields.String(metadata={"description": "The workspace's IANA timezone."})
    start = fields.String()
    end = fields.String()
    eligible = fields.Nested(Count, metadata={
        "description": "Bootstrap offered the guide (one offer per user, guide and local day)."})
    seen = fields.Nested(Count)
    checklist_open = fields.Nested(Count, metadata={
        "description": "The checklist panel opened on this guide ($checklist_open)."})
    started = fields.Nested(Count)
    completed = fields.Nested(Count)
    dismissed = fields.Nested(Count)
    snoozed = fields.Nested(Count)
    completion_rate = fields.Float(allow_none=True, metadata={
        "description": "Unique completed / unique started; null when nobody started."})
    time_to_complete = fields.Nested(Timing)
    days = fields.List(fields.Nested(DayTotals))
    steps = fields.List(fields.Nested(FunnelStep))
    unattributed = fields.Nested(Unattributed, metadata={
        "description": "Help, missing targets and escalations naming the guide but no step."})
