"""Analytics: the proactive vs reactive report (docs/ANALYTICS.md), its weeks beside the
same number of weeks before them, as a page and as CSV."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Response, abort, g, render_template

from guide import analytics
from guide.access import policy
from guide.authoring import bp
from guide.authoring.analytics_compare import reactive_headline
from guide.authoring.analytics_csv import reactive_csv, reactive_filename
from guide.authoring.charts import SHARE_SERIES, share_chart
from guide.authoring.report_range import ReportRange
from guide.authoring.views_analytics import _message, _range
from guide.errors import GuideError
from guide.schemas.analytics import PRESETS


def _report(chosen: ReportRange, start: date | None = None,
            end: date | None = None) -> dict[str, Any]:
    filters = chosen.filters if chosen.filters.active else None
    try:
        return analytics.reactive_report(g.workspace, start or chosen.start, end or chosen.end,
                                         filters=filters)
    except GuideError as error:
        abort(error.status, _message(error))


def previous_weeks(report: dict[str, Any]) -> tuple[date, date]:
    """As many whole weeks as the report has, ending the Sunday before its first Monday."""
    first = date.fromisoformat(report["start"])
    return first - timedelta(weeks=len(report["weeks"])), first - timedelta(days=1)


@bp.route("/w/<workspace>/analytics/reactive")
@policy(GET="viewer")
def reactive_analytics(workspace: str) -> Any:
    """Per week: who needed a human and who progressed by self-service, against the target."""
    chosen = _range()
    report = _report(chosen)
    before = previous_weeks(report)
    previous = _report(chosen, *before)
    return render_template(
        "admin/analytics_reactive.html", report=report, previous=previous, before=before,
        chosen=chosen, presets=PRESETS, filterable=True,
        figures=reactive_headline(report, previous),
        chart=share_chart(report["weeks"], report["target"]), share_series=SHARE_SERIES)


@bp.route("/w/<workspace>/analytics/reactive.csv")
@policy(GET="viewer")
def reactive_analytics_csv(workspace: str) -> Any:
    """The weeks, their totals and where escalations start, as a CSV download."""
    report = _report(_range())
    response = Response(reactive_csv(report), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment",
                         filename=reactive_filename(report))
    return response
