"""Analytics reports: the range a report covers, and the Guide report as the API answers it
(docs/ANALYTICS.md defines every number); the other reports' answers are in the
analytics_* schema modules beside it."""

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


SEGMENT = fields.String(load_default=None, metadata={
    "description": "Only users in this segment: an audience rule on user and account traits "
                   "(docs/CONTENT.md), in YAML flow syntax or JSON, e.g. "
                   "`{trait: plan, in: [trial, pro]}`; no url conditions. At most 2000 "
                   "characters. 400 invalid_filter says what is wrong."})
LOCALE_FILTER = fields.String(load_default=None, metadata={
    "description": "Only users with this locale (BCP 47; case-insensitive; `fr` also "
                   "matches `fr-CA`). 400 invalid_filter when it is not a tag."})


TREND_BY = ("day", "week")


class RangeQuery(StrictSchema):
    """``?start=YYYY-MM-DD&end=YYYY-MM-DD``: local days in the workspace's timezone, inclusive."""

    start = fields.Date(required=True, validate=DAY,
                        metadata={"description": "First local day of the range."})
    end = fields.Date(required=True, validate=DAY,
                      metadata={"description": "Last local day of the range (included)."})


class ReportQuery(RangeQuery):
    """The range and the optional ``segment`` and ``locale`` filters (docs/ANALYTICS.md,
    "Filters")."""

    segment = SEGMENT
    locale = LOCALE_FILTER


class GuideReportQuery(ReportQuery):
    """The range and filters, and ``by=week`` for the trend by week too."""

    by = fields.String(load_default="day", validate=validate.OneOf(TREND_BY), metadata={
        "description": "`week`: the answer also has `weeks`, the trend per local week."})


class ReportRangeQuery(StrictSchema):
    """The admin's range: a preset (``days``, ending today) or custom ``start``/``end``;
    and the report filters (checked by ``guide.analytics.filters``)."""

    days = fields.Integer(load_default=None, validate=validate.OneOf(PRESETS))
    start = fields.Date(load_default=None, validate=DAY)
    end = fields.Date(load_default=None, validate=DAY)
    segment = fields.String(load_default=None)
    locale = fields.String(load_default=None)
    by = fields.String(load_default="day", validate=validate.OneOf(TREND_BY))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))

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


class WeekTotals(DayTotals):
    week = fields.String(metadata={"description": "The local week's Monday, YYYY-MM-DD."})
    start = fields.String(metadata={"description": "Its first day in the range."})
    end = fields.String(metadata={"description": "Its last day in the range."})


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
    stuck = fields.Integer(metadata={
        "description": "Help opened from the step's \"Stuck?\" ($help_open naming the step "
                       "and an article); also counted in help_opened."})
    help_opened = fields.Integer()
    escalations = fields.Integer()
    time_on_step = fields.Nested(Timing)


class Unattributed(Schema):
    target_missing = fields.Integer()
    help_opened = fields.Integer()
    escalations = fields.Integer()


class Cohort(Schema):
    started = fields.Integer(metadata={"description": "Users who started in the range."})
    completed = fields.Integer(metadata={
        "description": "Of them, those who completed from their start up to now."})
    rate = fields.Float(allow_none=True, metadata={
        "description": "completed / started; null when nobody started. At most 1."})


# ---------------------------------------------------------------- filters


class ReportFilters(Schema):
    """The filters a report was asked for, and how many users they match."""

    segment = fields.String(allow_none=True)
    locale = fields.String(allow_none=True, metadata={"description": "Lower-cased."})
    users = fields.Integer(metadata={"description": "Users the filters match."})
    totals = fields.String(metadata={
        "description": "Guide report: `user_days` (each user counts once a day)."})


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
    weeks = fields.List(fields.Nested(WeekTotals), metadata={
        "description": "With `by=week` only: the days added up per local week."})
    steps = fields.List(fields.Nested(FunnelStep))
    unattributed = fields.Nested(Unattributed, metadata={
        "description": "Help, missing targets and escalations naming the guide but no step."})
    cohort = fields.Nested(Cohort, metadata={
        "description": "Of the users who started in the range, who completed up to now."})
    filters = fields.Nested(ReportFilters, metadata={
        "description": "Only in a filtered report: its filters; totals are then user-days."})


# ---------------------------------------------------------------- a guide's users


class GuideUsersQuery(ReportQuery):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class GuideUser(Schema):
    user = fields.String(metadata={"description": "Your id for the user."})
    account = fields.String(allow_none=True, metadata={"description": "Your account id."})
    status = fields.String(metadata={
        "description": "Now: not_started, active, completed, dismissed or snoozed."})
    completed_steps = fields.Integer(metadata={
        "description": "Steps of the published version the user has completed."})
    progress = fields.Float(allow_none=True, metadata={"description": "completed_steps / steps."})
    last_active = fields.String(metadata={
        "description": "The last local day in the range with a fact about the guide."})


class GuideUsers(Schema):
    """docs/ANALYTICS.md, "The Guide report", users: latest active first."""

    guide = fields.String()
    start = fields.String()
    end = fields.String()
    timezone = fields.String()
    total = fields.Integer(metadata={"description": "Users active on the guide in the range."})
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
    steps = fields.Integer(metadata={"description": "Steps of the published version."})
    users = fields.List(fields.Nested(GuideUser))
