"""Analytics › Scenarios: each scenario's firings in both arms, conversion to its goal and the
lift over the holdout with its interval, as a page (chart and table) and as CSV.
docs/ANALYTICS.md, "The Scenarios report", defines every number."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, g, render_template

from guide import analytics
from guide.access import policy
from guide.authoring import bp
from guide.authoring.analytics_compare import scenarios_headline
from guide.authoring.analytics_csv import csv_name, scenarios_csv
from guide.authoring.report_range import ReportRange
from guide.authoring.scenario_chart import conversion_chart
from guide.authoring.views_analytics import _message, _range
from guide.errors import GuideError
from guide.schemas.analytics import PRESETS


def _report(chosen: ReportRange) -> dict[str, Any]:
    """The Scenarios report for the chosen range and filters (a 400 page when refused)."""
    try:
        return analytics.scenario_report(
            g.workspace, chosen.start, chosen.end,
            filters=chosen.filters if chosen.filters.active else None)
    except GuideError as error:
        abort(error.status, _message(error))


@bp.route("/w/<workspace>/analytics/scenarios")
@policy(GET="viewer")
def analytics_scenarios(workspace: str) -> Any:
    chosen = _range()
    report = _report(chosen)
    figures = scenarios_headline(report, _report(chosen.previous()))
    return render_template("admin/analytics_scenarios.html", report=report, chosen=chosen,
                           presets=PRESETS, filterable=True, figures=figures,
                           chart=conversion_chart(report["scenarios"]))


@bp.route("/w/<workspace>/analytics/scenarios/report.csv")
@policy(GET="viewer")
def analytics_scenarios_csv(workspace: str) -> Any:
    report = _report(_range())
    response = Response(scenarios_csv(report), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename=csv_name(
        "scenarios", report["start"], report["end"]))
    return response
