"""Analytics reports (server-side; secret API key): the same numbers as the admin's
Analytics pages (docs/ANALYTICS.md)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from guide import analytics
from guide.api.auth import workspace_from_api_key
from guide.api.parsing import Blueprint
from guide.schemas.analytics import GuideReport, GuideReportQuery, ScenarioReport

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
        after ``end``; ``404 unknown_guide`` when no published guide has this key."""
        return analytics.guide_report(g.workspace, guide, query["start"], query["end"])


@blp.route("/scenarios")
class ScenarioReportItem(MethodView):
    @blp.arguments(GuideReportQuery, location="query")
    @blp.response(200, ScenarioReport)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The Scenarios report on local days ``start..end`` (inclusive, in the workspace's
        timezone, at most 731 days): per scenario, its firings treated and held out, how many
        reached the scenario's goal within ``goal_days``, the rates with Wilson intervals and
        the lift over the holdout with Newcombe's interval. ``400 invalid_range`` when
        ``start`` is after ``end``."""
        return analytics.scenario_report(g.workspace, query["start"], query["end"])
