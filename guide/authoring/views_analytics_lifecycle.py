"""Analytics: the milestones and lifecycle report, the customer-success portfolio and one
account's onboarding timeline, as pages and as CSV (docs/ANALYTICS.md defines each number)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Response, abort, g, render_template, request
from flask_babel import gettext
from marshmallow import ValidationError

from guide import analytics, i18n
from guide.access import policy
from guide.analytics.filters import Filters
from guide.authoring import bp
from guide.authoring.analytics_compare import Figure
from guide.authoring.analytics_lifecycle_csv import lifecycle_csv, portfolio_csv, timeline_csv
from guide.authoring.charts import funnel_chart
from guide.authoring.report_range import ReportRange, range_of, today_in
from guide.authoring.timeline_chart import timeline_chart
from guide.authoring.views_analytics import _message
from guide.errors import GuideError, NotFound
from guide.schemas.analytics import PRESETS
from guide.schemas.analytics_lifecycle import STATUSES, WithinQuery

PAGE_SIZE = 100
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _call(report: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """A report, or the admin's 404 / 400 page naming what is wrong."""
    try:
        return report(g.workspace, *args, **kwargs)
    except NotFound as error:
        abort(404, i18n.localize(error.message))
    except GuideError as error:
        abort(error.status, _message(error))


def _range() -> ReportRange:
    """The page's signup days (its other arguments set aside), or the 400 page."""
    try:
        return range_of({k: v for k, v in request.args.items() if k != "within_days"},
                        today_in(g.workspace))
    except GuideError as error:
        abort(400, _message(error))


def _within() -> int:
    given = {k: v for k, v in request.args.items() if k == "within_days" and v != ""}
    try:
        return int(WithinQuery().load(given)["within_days"])
    except ValidationError as error:
        abort(400, "within_days: " + " ".join(error.messages.get("within_days", [])))


def _download(text: str, name: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment",
                         filename=_UNSAFE_NAME.sub("_", name) + ".csv")
    return response


def _active(filters: Filters) -> Filters | None:
    return filters if filters.active else None


def _lifecycle() -> tuple[Any, int, dict[str, Any]]:
    chosen, within = _range(), _within()
    return chosen, within, _call(analytics.lifecycle_report, chosen.start, chosen.end, within,
                                 filters=_active(chosen.filters))


@bp.route("/w/<workspace>/analytics/lifecycle")
@policy(GET="viewer")
def lifecycle_analytics(workspace: str) -> Any:
    """Milestone funnel, time to value, cohorts by signup week, stages, where it stalls."""
    chosen, within, report = _lifecycle()
    before = chosen.previous()
    previous = _call(analytics.lifecycle_report, before.start, before.end, within,
                     filters=_active(before.filters))
    bars = [{"step": m["title"], "completed": m["reached"]} for m in report["milestones"]]
    funnel = funnel_chart(report["signups"], bars, "Signed up")
    return render_template("admin/analytics_lifecycle.html", report=report, chosen=chosen,
                           presets=PRESETS, within=within, funnel=funnel, before=before,
                           filterable=True,
                           figures=_headline(report, previous),
                           stage_rows=_stage_rows(report["stages"]))


def _headline(report: dict[str, Any], previous: dict[str, Any]) -> list[Figure]:
    """Signups, then each milestone's share of signups and median time to value, against
    the previous period of equal length (the same report for those days)."""
    figures = [Figure(gettext("Signups"), "count", report["signups"], previous["signups"])]
    before = {m["key"]: m for m in previous["milestones"]}
    for m in report["milestones"]:
        was = before.get(m["key"], {"share": None, "time_to_value": {"median": None}})
        figures.append(Figure(gettext("%(title)s, share of signups",
                                      title=m["title"]), "rate", m["share"],
                              was["share"]))
        figures.append(Figure(gettext("%(title)s, time to value (median)",
                                      title=m["title"]), "seconds",
                              m["time_to_value"]["median"], was["time_to_value"]["median"]))
    return figures


def _stage_rows(stages: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One row per stage with its users and accounts (a removed stage may hold either)."""
    rows: dict[str, dict[str, Any]] = {}
    for subject in ("users", "accounts"):
        for stage in stages[subject]:
            row = rows.setdefault(stage["stage"], {**stage, "users": 0, "accounts": 0})
            row[subject] = stage["count"]
    return list(rows.values())


@bp.route("/w/<workspace>/analytics/lifecycle.csv")
@policy(GET="viewer")
def lifecycle_analytics_csv(workspace: str) -> Any:
    _, _, report = _lifecycle()
    return _download(lifecycle_csv(report), f"lifecycle-{report['start']}-{report['end']}")


def _filters() -> dict[str, Any]:
    """The portfolio's filters: status, stage, CSM, name, and the report filters (segment,
    locale: the accounts with a matched user)."""
    args = request.args
    status = args.get("status") or None
    if status is not None and status not in STATUSES:
        abort(400, f"status: one of {', '.join(STATUSES)}")
    try:
        users = Filters.parse(args.get("segment") or None, args.get("locale") or None)
    except GuideError as error:
        abort(400, _message(error))
    return {"status": status, "stage": args.get("stage") or None,
            "csm": args.get("csm") or None, "search": (args.get("q") or "").strip() or None,
            "filters": _active(users)}


@bp.route("/w/<workspace>/analytics/accounts")
@policy(GET="viewer")
def portfolio_analytics(workspace: str) -> Any:
    """Every account on track, behind or stuck; filter by status, stage, CSM, name."""
    filters = _filters()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    report = _call(analytics.portfolio, **filters, limit=PAGE_SIZE,
                   offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-report["matching"] // PAGE_SIZE))
    return render_template("admin/analytics_accounts.html", report=report, filters=filters,
                           statuses=STATUSES, page=page, pages=pages,
                           user_filters=filters["filters"] or Filters(),
                           args={"status": filters["status"] or "",
                                 "stage": filters["stage"] or "", "csm": filters["csm"] or "",
                                 "q": filters["search"] or "",
                                 **(filters["filters"] or Filters()).args()})


@bp.route("/w/<workspace>/analytics/accounts.csv")
@policy(GET="viewer")
def portfolio_analytics_csv(workspace: str) -> Any:
    report = _call(analytics.portfolio, **_filters(), limit=None)
    return _download(portfolio_csv(report), "accounts")


@bp.route("/w/<workspace>/analytics/accounts/<path:external_id>/timeline.csv")
@policy(GET="viewer")
def account_timeline_csv(workspace: str, external_id: str) -> Any:
    timeline = _call(analytics.account_timeline, external_id)
    return _download(timeline_csv(timeline), f"account-{external_id}-timeline")


@bp.route("/w/<workspace>/analytics/accounts/<path:external_id>")
@policy(GET="viewer")
def account_timeline(workspace: str, external_id: str) -> Any:
    """One account's standing and its onboarding on one time axis, with the table."""
    timeline = _call(analytics.account_timeline, external_id)
    return render_template("admin/analytics_account.html", timeline=timeline,
                           chart=timeline_chart(timeline))
