"""Analytics › Surveys and messages: each survey's results (NPS, CSAT, choices, comments),
"was this helpful?" per article and step, and what users did with each announcement,
hotspot and tooltip, as pages (and a survey's answers as CSV). The numbers are
``guide.analytics.surveys``'s, the same as the results API (docs/SURVEYS.md, section 6)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, g, render_template

from guide import i18n
from guide.access import policy
from guide.analytics import surveys
from guide.authoring import bp
from guide.authoring.analytics_csv import csv_name, survey_csv
from guide.authoring.charts import bar_chart
from guide.authoring.report_range import ReportRange
from guide.authoring.views_analytics import _message, _range
from guide.errors import GuideError, NotFound
from guide.schemas.analytics import PRESETS
from guide.services.published import published_guides

MESSAGE_KINDS = ("announcement", "hotspot", "tooltip")


def _run(report: Any, chosen: ReportRange, *args: Any) -> Any:
    """``report`` for the page's range and filters, or the admin's 404/400 page."""
    filters = chosen.filters if chosen.filters.active else None
    try:
        return report(g.workspace, *args, chosen.start, chosen.end, filters)
    except NotFound as error:
        abort(404, i18n.localize(error.message))
    except GuideError as error:
        abort(error.status, _message(error))


@bp.route("/w/<workspace>/analytics/surveys")
@policy(GET="viewer")
def survey_analytics_list(workspace: str) -> Any:
    """The published surveys and messages, each linking to its results."""
    pairs = published_guides(g.workspace.id)
    return render_template(
        "admin/analytics_surveys.html", chosen=_range(), presets=PRESETS,
        surveys=[(guide, version) for guide, version in pairs if guide.kind == "survey"],
        messages=[(guide, version) for guide, version in pairs if guide.kind in MESSAGE_KINDS])


@bp.route("/w/<workspace>/analytics/surveys/<key>")
@policy(GET="viewer")
def survey_analytics(workspace: str, key: str) -> Any:
    """One survey: responses, response rate, and per question its chart and table."""
    chosen = _range()
    report = _run(surveys.survey_report, chosen, key)
    version = surveys.published_survey(g.workspace, key)
    questions = [(q, step, _chart(q, step)) for q, step in zip(
        report["questions"], version.body["steps"], strict=True)]
    return render_template("admin/analytics_survey.html", report=report, chosen=chosen,
                           presets=PRESETS, filterable=True, version=version,
                           questions=questions)


def _chart(question: dict[str, Any], step: dict[str, Any]) -> Any:
    """The bars a question's numbers draw (its table beside it carries the same numbers)."""
    if question["type"] == "nps":
        return bar_chart([("Promoters (9-10)", question["promoters"]),
                          ("Passives (7-8)", question["passives"]),
                          ("Detractors (0-6)", question["detractors"])],
                         tones=["promoter", "passive", "detractor"])
    if "distribution" in question:
        return bar_chart(list(question["distribution"].items()))
    if "choices" in question:
        return bar_chart(list(question["choices"].items()))
    return None


@bp.route("/w/<workspace>/analytics/surveys/<key>.csv")
@policy(GET="viewer")
def survey_analytics_csv(workspace: str, key: str) -> Any:
    """Every answer of the range, one row per answer, as the responses API's CSV."""
    chosen = _range()
    rows = _run(surveys.survey_csv_rows, chosen, key)
    response = Response(survey_csv(rows), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename=csv_name(
        "survey", key, chosen.start.isoformat(), chosen.end.isoformat()))
    return response


@bp.route("/w/<workspace>/analytics/helpful")
@policy(GET="viewer")
def helpful_analytics(workspace: str) -> Any:
    """"Was this helpful?" per help article and per guide step, with the comments."""
    chosen = _range()
    return render_template("admin/analytics_helpful.html", chosen=chosen, presets=PRESETS,
                           filterable=True, report=_run(surveys.helpful_report, chosen))


@bp.route("/w/<workspace>/analytics/messages/<key>")
@policy(GET="viewer")
def message_analytics(workspace: str, key: str) -> Any:
    """An announcement, hotspot or tooltip: users who saw, clicked and dismissed it."""
    chosen = _range()
    report = _run(surveys.message_report, chosen, key)
    return render_template("admin/analytics_message.html", chosen=chosen, presets=PRESETS,
                           filterable=True, report=report)
