"""Results of surveys, "was this helpful?" and announcements, hotspots and tooltips
(server-side; secret API key; docs/SURVEYS.md, section 6). Routes of the analytics
blueprint (its key check), added on import."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from flask import Response, g
from flask.views import MethodView

from guide.analytics import surveys
from guide.analytics.ranges import recent_days
from guide.api.analytics import blp, filters_of
from guide.schemas.analytics_surveys import (
    HelpfulReport,
    MessageReport,
    RecentReportQuery,
    ResponsesQuery,
    SurveyReport,
    SurveyResponsesOut,
)

# Spreadsheets run a cell starting with these as a formula (OWASP, "CSV Injection"), as
# the admin's CSV exports guard against.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@blp.route("/surveys/<string:key>")
class SurveyReportItem(MethodView):
    @blp.arguments(RecentReportQuery, location="query")
    @blp.response(200, SurveyReport)
    def get(self, query: dict[str, Any], key: str) -> dict[str, Any]:
        """A survey's results on local days ``start..end``: users shown it, responses, the
        response rate, NPS with promoters, passives and detractors, CSAT and rating averages
        and distributions, answers per choice, comments with the user and account.
        ``404 unknown_guide``, ``400 invalid_range``, ``400 invalid_filter``."""
        return surveys.survey_report(g.workspace, key, *_days(query), filters_of(query))


@blp.route("/surveys/<string:key>/responses")
class SurveyResponses(MethodView):
    @blp.arguments(ResponsesQuery, location="query")
    @blp.response(200, SurveyResponsesOut)
    def get(self, query: dict[str, Any], key: str) -> Any:
        """A survey's answers, one row per answer, oldest first: answered_at, user, account,
        version, question, score, choice, text. ``format=csv``: the same as a CSV file
        (``text/csv``). Errors as for the report."""
        rows = surveys.survey_csv_rows(g.workspace, key, *_days(query), filters_of(query))
        if query["format"] == "json":
            return {"columns": list(surveys.CSV_COLUMNS), "rows": rows}
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(surveys.CSV_COLUMNS)
        writer.writerows([_safe(cell) for cell in row] for row in rows)
        start, end = _days(query)
        name = f"survey-{key}-{start}-{end}.csv"
        return Response(out.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _days(query: dict[str, Any]) -> tuple[date, date]:
    """The range asked for; a day left out is the last 30 days' (docs/SURVEYS.md, section 6)."""
    return recent_days(g.workspace.timezone, query["start"], query["end"])


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


@blp.route("/helpful")
class HelpfulReportItem(MethodView):
    @blp.arguments(RecentReportQuery, location="query")
    @blp.response(200, HelpfulReport)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """"Was this helpful?" per help article and per guide step: yes, no, the helpful
        share and the comments. ``400 invalid_range``, ``400 invalid_filter``."""
        return surveys.helpful_report(g.workspace, *_days(query), filters_of(query))


@blp.route("/messages/<string:key>")
class MessageReportItem(MethodView):
    @blp.arguments(RecentReportQuery, location="query")
    @blp.response(200, MessageReport)
    def get(self, query: dict[str, Any], key: str) -> dict[str, Any]:
        """An announcement, hotspot or tooltip: users who saw, clicked (a call to action, a
        beacon opened) and dismissed it, and per step. ``404 unknown_guide`` and as above."""
        return surveys.message_report(g.workspace, key, *_days(query), filters_of(query))
