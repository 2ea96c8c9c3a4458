"""The Scenarios report and the help searches as the API answers them (docs/ANALYTICS.md,
"The Scenarios report", "Help searches")."""

from __future__ import annotations

from marshmallow import Schema, fields

from guide.schemas.analytics import ReportFilters


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
    filters = fields.Nested(ReportFilters, metadata={
        "description": "Only when filtered: the searches of matched users."})
