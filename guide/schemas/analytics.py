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


# ---------------------------------------------------------------- proactive vs reactive


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


# ---------------------------------------------------------------- the Scenarios report


class ScenarioGoal(Schema):
    kind = fields.String(metadata={
        "description": "milestone, guide, step (a plan step), event, or plan_step (the overdue "
                       "plan step each firing names)."})
    key = fields.String(allow_none=True, metadata={
        "description": "The milestone, guide, guide/step or event; null for plan_step."})
    days = fields.Integer(metadata={"description": "goal_days: the window after a firing."})


class ScenarioArm(Schema):
    firings = fields.Integer(metadata={"description": "Firings on the range's local days."})
    pending = fields.Integer(metadata={
        "description": "Firings less than goal_days old: their window is still open."})
    matured = fields.Integer(metadata={"description": "firings - pending: the denominator."})
    converted = fields.Integer(metadata={
        "description": "Matured firings whose subject reached the goal within goal_days."})
    rate = fields.Float(allow_none=True, metadata={
        "description": "converted / matured; null without a goal or with nothing matured."})
    rate_ci = fields.List(fields.Float(), allow_none=True, metadata={
        "description": "Wilson 95% score interval of the rate, [low, high]."})


class ScenarioRow(Schema):
    scenario = fields.String()
    title = fields.String(allow_none=True)
    configured = fields.Boolean(metadata={
        "description": "False once removed from scenarios.yaml (shown while it has firings)."})
    goal = fields.Nested(ScenarioGoal, allow_none=True)
    holdout = fields.Float(metadata={"description": "Percent of matches held out (0-50)."})
    treated = fields.Nested(ScenarioArm)
    held_out = fields.Nested(ScenarioArm)
    lift = fields.Float(allow_none=True, metadata={
        "description": "Treated rate - held-out rate; null unless both arms have matured."})
    lift_ci = fields.List(fields.Float(), allow_none=True, metadata={
        "description": "Newcombe's hybrid score 95% interval of the lift, [low, high]."})


class ScenarioReport(Schema):
    """docs/ANALYTICS.md, "The Scenarios report"."""

    timezone = fields.String(metadata={"description": "The workspace's IANA timezone."})
    start = fields.String()
    end = fields.String()
    now = fields.String(metadata={"description": "When it was computed: what is pending."})
    scenarios = fields.List(fields.Nested(ScenarioRow))
    filters = fields.Nested(ReportFilters, metadata={
        "description": "Only when filtered: firings of matched users and of their accounts."})


class SearchedQuery(Schema):
    query = fields.String(metadata={"description": "As typed, trimmed, spaces collapsed, "
                                                   "lower case (at most 200 characters)."})
    searches = fields.Integer(metadata={"description": "Searches for it in the range."})
    users = fields.Integer(metadata={"description": "Distinct users who searched for it."})
    zero_results = fields.Integer(metadata={"description": "Of its searches, those that "
                                                           "found no article."})


class HelpSearchReport(Schema):
    """docs/ANALYTICS.md, "Help searches"."""

    timezone = fields.String(metadata={"description": "The workspace's IANA timezone."})
    start = fields.String()
    end = fields.String()
    searches = fields.Integer(metadata={"description": "Help searches with a query."})
    zero_result_searches = fields.Integer(metadata={"description": "Of them, those that found "
                                                                   "no article."})
    top_queries = fields.List(fields.Nested(SearchedQuery), metadata={
        "description": "The 20 most searched queries, most first (ties by query)."})
    zero_result_queries = fields.List(fields.Nested(SearchedQuery), metadata={
        "description": "The 20 queries searched most often in vain: the articles to write."})
