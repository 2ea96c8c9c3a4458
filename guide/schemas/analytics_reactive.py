"""The proactive vs reactive report as the API answers it (docs/ANALYTICS.md, "Proactive vs
reactive")."""

from __future__ import annotations

from marshmallow import Schema, fields

from guide.schemas.analytics import ReportFilters, ReportQuery


class ReactiveReportQuery(ReportQuery):
    """The local weeks (Monday to Sunday) holding ``start..end``, and the filters."""


class SideTotals(Schema):
    active = fields.Integer()
    needed_human = fields.Integer(metadata={"description": "Sent an escalation themselves."})
    self_service = fields.Integer(metadata={"description": "Progressed, needed no human."})
    idle = fields.Integer()
    reactive_share = fields.Float(allow_none=True, metadata={
        "description": "needed_human / (needed_human + self_service); null when both are 0."})


class Side(SideTotals):
    onboarding = fields.Integer(metadata={"description": "The onboarding population."})


class HelpSessions(Schema):
    sessions = fields.Integer(metadata={"description": "Help openings in the week."})
    resolved = fields.Integer(metadata={"description": "Not escalated within 24 hours."})
    escalated = fields.Integer()
    pending = fields.Integer(metadata={"description": "Less than 24 hours old."})
    resolved_rate = fields.Float(allow_none=True)


class ReactiveWeek(Schema):
    week = fields.String(metadata={"description": "The week's Monday, YYYY-MM-DD."})
    end = fields.String(metadata={"description": "Its Sunday."})
    users = fields.Nested(Side)
    accounts = fields.Nested(Side)
    escalations = fields.Integer()
    escalations_per_100 = fields.Float(allow_none=True, metadata={
        "description": "100 x escalations / active onboarding users."})
    help = fields.Nested(HelpSessions)
    above_target = fields.Boolean(allow_none=True)


class ReactiveTotals(Schema):
    """The weeks added up (user-weeks, account-weeks)."""

    users = fields.Nested(SideTotals)
    accounts = fields.Nested(SideTotals)
    escalations = fields.Integer()
    escalations_per_100 = fields.Float(allow_none=True)
    help = fields.Nested(HelpSessions)


class Ranked(Schema):
    guide = fields.String(allow_none=True)
    step = fields.String(allow_none=True)
    article = fields.String(allow_none=True)
    page = fields.String(allow_none=True)
    count = fields.Integer()


class EscalationsStart(Schema):
    total = fields.Integer()
    guides = fields.List(fields.Nested(Ranked))
    steps = fields.List(fields.Nested(Ranked))
    articles = fields.List(fields.Nested(Ranked))
    pages = fields.List(fields.Nested(Ranked))


class ReactiveReport(Schema):
    """docs/ANALYTICS.md, "Proactive vs reactive"."""

    timezone = fields.String()
    start = fields.String(metadata={"description": "The first week's Monday."})
    end = fields.String(metadata={"description": "The last week's Sunday."})
    target = fields.Float(metadata={"description": "The aim: at most this reactive share."})
    weeks = fields.List(fields.Nested(ReactiveWeek))
    totals = fields.Nested(ReactiveTotals)
    escalations_start = fields.Nested(EscalationsStart)
    filters = fields.Nested(ReportFilters, metadata={"description": "Only when filtered."})
