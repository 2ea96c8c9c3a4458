"""The milestones and lifecycle report, the customer-success portfolio and an account's
timeline, as the API reads their queries and answers them (docs/ANALYTICS.md)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guide.schemas.analytics import LOCALE_FILTER, SEGMENT, GuideReportQuery, ReportFilters
from guide.schemas.base import StrictSchema

STATUSES = ("on_track", "behind", "stuck")
MAX_WITHIN_DAYS = 365
MAX_LIMIT = 1000


class LifecycleReportQuery(GuideReportQuery):
    """Signup days ``start..end`` and the cohort cells' window."""

    within_days = fields.Integer(load_default=7, validate=validate.Range(1, MAX_WITHIN_DAYS),
                                 metadata={"description": "Cohort cells also count who reached "
                                           "each milestone within this many days of signing up."})


class WithinQuery(StrictSchema):
    """The admin's cohort window (its range is read by ``ReportRangeQuery``)."""

    within_days = fields.Integer(load_default=7, validate=validate.Range(1, MAX_WITHIN_DAYS))


class AccountsQuery(StrictSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    stage = fields.String(load_default=None, validate=validate.Length(1, 64),
                          metadata={"description": "A stage key of lifecycle.yaml."})
    csm = fields.String(load_default=None, validate=validate.Length(1, 255),
                        metadata={"description": "The account's ``csm`` trait, exactly."})
    q = fields.String(load_default=None, validate=validate.Length(1, 255),
                      metadata={"description": "Part of the account's name trait or id "
                                "(case-insensitive)."})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, MAX_LIMIT))
    offset = fields.Integer(load_default=0, validate=validate.Range(0))
    segment = SEGMENT
    locale = LOCALE_FILTER


class TimeToValue(Schema):
    count = fields.Integer(metadata={"description": "Users measured."})
    median = fields.Integer(allow_none=True, metadata={"description": "Seconds, nearest rank."})
    p90 = fields.Integer(allow_none=True, metadata={"description": "Seconds, nearest rank."})


class FunnelMilestone(Schema):
    key = fields.String()
    title = fields.String()
    expected_days = fields.Integer(allow_none=True)
    reached = fields.Integer(metadata={"description": "Signups who reached it (so far)."})
    share = fields.Float(allow_none=True, metadata={"description": "reached / signups"})
    drop_off = fields.Integer(metadata={
        "description": "The previous milestone's reached (first: signups) minus this one; "
                       "negative when more users reached this one (see out_of_order)."})
    drop_off_rate = fields.Float(allow_none=True)
    out_of_order = fields.Boolean(metadata={
        "description": "More users reached it than the previous milestone: not a funnel "
                       "step (users reach it out of order), so drop_off is negative."})
    time_to_value = fields.Nested(TimeToValue)


class Stall(Schema):
    key = fields.String()
    title = fields.String()
    stalls = fields.Integer(metadata={"description": "Scenario firings in the range for it."})
    escalations = fields.Integer(metadata={
        "description": "User escalations in the range from users who had not reached it."})
    drop_off = fields.Integer()
    out_of_order = fields.Boolean()


class CohortCell(Schema):
    key = fields.String()
    reached = fields.Integer()
    share = fields.Float(allow_none=True)
    within = fields.Integer()
    within_share = fields.Float(allow_none=True)


class CohortWeek(Schema):
    week = fields.String(metadata={"description": "The local week's Monday."})
    signups = fields.Integer()
    complete = fields.Boolean(metadata={
        "description": "Every signup of the week has had within_days days."})
    cells = fields.List(fields.Nested(CohortCell))


class StageCount(Schema):
    stage = fields.String()
    title = fields.String()
    count = fields.Integer()
    configured = fields.Boolean(metadata={"description": "False: no longer in lifecycle.yaml."})


class StageCounts(Schema):
    users = fields.List(fields.Nested(StageCount))
    accounts = fields.List(fields.Nested(StageCount))


class LifecycleReport(Schema):
    """docs/ANALYTICS.md, "Milestones and lifecycle"."""

    timezone = fields.String()
    start = fields.String()
    end = fields.String()
    within_days = fields.Integer()
    signups = fields.Integer(metadata={"description": "Users first seen on a day of the range."})
    milestones = fields.List(fields.Nested(FunnelMilestone))
    stalls = fields.List(fields.Nested(Stall))
    cohorts = fields.List(fields.Nested(CohortWeek))
    stages = fields.Nested(StageCounts, metadata={
        "description": "The whole workspace (or the filtered users and their accounts), now."})
    filters = fields.Nested(ReportFilters, metadata={"description": "Only when filtered."})


class MilestoneDue(Schema):
    milestone = fields.String()
    due_at = fields.String()


class MilestoneOverdue(MilestoneDue):
    days_overdue = fields.Integer()


class AccountStanding(Schema):
    account = fields.String()
    name = fields.String()
    csm = fields.String(allow_none=True)
    stage = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "on_track, behind or stuck"})
    started_at = fields.String()
    last_activity = fields.String()
    users = fields.Integer()
    milestones_due = fields.Integer(metadata={"description": "Milestones with a deadline."})
    milestones_reached = fields.Integer()
    overdue = fields.List(fields.Nested(MilestoneOverdue))
    next_due = fields.Nested(MilestoneDue, allow_none=True)


class Deadline(Schema):
    milestone = fields.String()
    title = fields.String()
    expected_days = fields.Integer()


class StatusCounts(Schema):
    on_track = fields.Integer()
    behind = fields.Integer()
    stuck = fields.Integer()
    total = fields.Integer()


class StageName(Schema):
    stage = fields.String()
    title = fields.String()


class Portfolio(Schema):
    """docs/ANALYTICS.md, "The customer-success portfolio"."""

    now = fields.String()
    idle_days = fields.Integer()
    deadlines = fields.List(fields.Nested(Deadline))
    stages = fields.List(fields.Nested(StageName))
    counts = fields.Nested(StatusCounts, metadata={
        "description": "Every account, unfiltered by status, stage, csm or q."})
    csms = fields.List(fields.String())
    matching = fields.Integer(metadata={"description": "Accounts that pass the filters."})
    offset = fields.Integer()
    limit = fields.Integer()
    accounts = fields.List(fields.Nested(AccountStanding))
    filters = fields.Nested(ReportFilters, metadata={
        "description": "Only with a segment or locale: the accounts are then those with at "
                       "least one matched user, counts included."})


class TimelineLane(Schema):
    lane = fields.String()
    title = fields.String()


class TimelineItem(Schema):
    at = fields.String()
    lane = fields.String(metadata={"description": "milestones, plan, nudges or escalations"})
    kind = fields.String(metadata={"description": "start, reached, late, due, overdue, done, "
                                   "fired, user, scenario"})
    label = fields.String()
    key = fields.String(allow_none=True)
    detail = fields.String(allow_none=True)
    user = fields.String(allow_none=True)
    due_at = fields.String(allow_none=True)


class AccountTimeline(AccountStanding):
    """docs/ANALYTICS.md, "An account's timeline"."""

    now = fields.String()
    lanes = fields.List(fields.Nested(TimelineLane))
    items = fields.List(fields.Nested(TimelineItem))

