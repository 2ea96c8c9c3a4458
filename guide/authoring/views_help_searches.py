"""Analytics › Help searches: what users search the help for, and what they search for in
vain (the articles to write), beside the previous period, as a page and as CSV.
docs/ANALYTICS.md, "Help searches", defines every number."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, g, render_template

from guide import analytics
from guide.access import policy
from guide.analytics.help_search import TOP
from guide.authoring import bp
from guide.authoring.analytics_compare import help_search_headline
from guide.authoring.analytics_csv import csv_name, help_searches_csv
from guide.authoring.report_range import ReportRange
from guide.authoring.views_analytics import _message, _range
from guide.errors import GuideError
from guide.schemas.analytics import PRESETS


def _report(chosen: ReportRange) -> dict[str, Any]:
    try:
        return analytics.help_search_report(
            g.workspace, chosen.start, chosen.end,
            filters=chosen.filters if chosen.filters.active else None)
    except GuideError as error:
        abort(error.status, _message(error))


@bp.route("/w/<workspace>/analytics/help-searches")
@policy(GET="viewer")
def help_search_analytics(workspace: str) -> Any:
    """Zero-result queries first (what to write), then the most searched queries."""
    chosen = _range()
    report = _report(chosen)
    # One indexed query over the searches of the period before: cheap enough to always show.
    previous = _report(chosen.previous())
    return render_template("admin/analytics_help_searches.html", report=report,
                           previous=previous, chosen=chosen, presets=PRESETS, top=TOP,
                           filterable=True, figures=help_search_headline(report, previous))


@bp.route("/w/<workspace>/analytics/help-searches.csv")
@policy(GET="viewer")
def help_search_analytics_csv(workspace: str) -> Any:
    report = _report(_range())
    response = Response(help_searches_csv(report), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename=csv_name(
        "help-searches", report["start"], report["end"]))
    return response
