"""Analytics reports (server-side; secret API key): the same numbers as the admin's
Analytics pages (docs/ANALYTICS.md)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from guide import analytics
from guide.analytics.filters import Filters
from guide.analytics.guide_users import guide_users
from guide.api.auth import workspace_from_api_key
from guide.api.parsing import Blueprint
from guide.schemas.analytics import (
    GuideReport,
    GuideReportQuery,
    GuideUsers,
    GuideUsersQuery,
    ReportQuery,
)
from guide.schemas.analytics_reactive import ReactiveReport, ReactiveReportQuery
from guide.schemas.analytics_scenarios import HelpSearchReport, ScenarioReport

blp = Blueprint("analytics", __name__, url_prefix="/api/v1/analytics",
                description="Analytics reports (server-side; secret API key).")


@blp.before_request
def _authenticate() -> None:
    """The key first: a caller without one learns nothing, not even what a query lacks."""
    g.workspace = workspace_from_api_key()


@blp.route("/guides/<string:guide>")
class GuideReportItem(MethodView):
    @blp.arguments(GuideReportQuery, location="query")
    @blp.response(200, GuideReport)
    def get(self, query: dict[str, Any], guide: str) -> dict[str, Any]:
        """The Guide report of a published guide on local days ``start..end`` (inclusive, in
        the workspace's timezone, at most 731 days): headline numbers, the trend by day and
        the step funnel with each step's friction. ``400 invalid_range`` when ``start`` is
        after ``end``; ``404 unknown_guide`` when no published guide has this key;
        ``400 invalid_filter`` for a bad ``segment`` or ``locale`` (with a filter, totals are
        user-days). ``by=week`` adds ``weeks``, the trend per local week."""
        report = analytics.guide_report(g.workspace, guide, query["start"], query["end"],
                                        filters_of(query))
        if query["by"] == "week":
            report["weeks"] = analytics.by_week(report["days"])
        return report


@blp.route("/guides/<string:guide>/users")
class GuideUsersList(MethodView):
    @blp.arguments(GuideUsersQuery, location="query")
    @blp.response(200, GuideUsers)
    def get(self, query: dict[str, Any], guide: str) -> dict[str, Any]:
        """The users active on a published guide in the range (latest first, a page at a
        time): status and progress now, account, last active day. Errors as for the report."""
        return guide_users(g.workspace, guide, query["start"], query["end"], filters_of(query),
                           query["page"], query["per_page"])


def filters_of(query: dict[str, Any]) -> Filters | None:
    """The query's segment and locale filters; None when it has neither."""
    filters = Filters.parse(query["segment"], query["locale"])
    return filters if filters.active else None


@blp.route("/reactive")
class ReactiveReportItem(MethodView):
    @blp.arguments(ReactiveReportQuery, location="query")
    @blp.response(200, ReactiveReport)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The proactive vs reactive report for the local weeks (Monday to Sunday) holding
        ``start..end``: per week, onboarding users and accounts that needed a human against
        those who progressed by self-service, escalations per 100 active onboarding users,
        help resolved without an escalation within 24 hours; the weeks' totals; where
        escalations start. ``400 invalid_range``, ``400 invalid_filter`` as for guides."""
        return analytics.reactive_report(g.workspace, query["start"], query["end"],
                                         filters=filters_of(query))


@blp.route("/scenarios")
class ScenarioReportItem(MethodView):
    @blp.arguments(ReportQuery, location="query")
    @blp.response(200, ScenarioReport)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The Scenarios report on local days ``start..end`` (inclusive, in the workspace's
        timezone, at most 731 days): per scenario, its firings treated and held out, how many
        reached the scenario's goal within ``goal_days``, the rates with Wilson intervals and
        the lift over the holdout with Newcombe's interval. ``400 invalid_range`` when
        ``start`` is after ``end``; ``400 invalid_filter`` for a bad ``segment`` or ``locale``
        (with one: the firings of matched users and of accounts with a matched user)."""
        return analytics.scenario_report(g.workspace, query["start"], query["end"],
                                         filters=filters_of(query))


@blp.route("/help-searches")
class HelpSearchReportItem(MethodView):
    @blp.arguments(ReportQuery, location="query")
    @blp.response(200, HelpSearchReport)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Help searches on local days ``start..end`` (inclusive, in the workspace's timezone,
        at most 731 days): how many, how many found no article, the most searched queries and
        the queries searched most often in vain (the articles to write). Queries are user
        text, returned as JSON strings: escape them where you display them.
        ``400 invalid_range`` when ``start`` is after ``end``; ``400 invalid_filter`` for a
        bad ``segment`` or ``locale`` (with one: the searches of matched users)."""
        return analytics.help_search_report(g.workspace, query["start"], query["end"],
                                            filters=filters_of(query))
