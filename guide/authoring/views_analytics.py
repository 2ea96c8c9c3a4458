"""Analytics: each published guide's numbers for a range of days, and one guide's report
(headline numbers against the previous period, the step funnel with its friction, the
daily trend) as a page and as CSV. docs/ANALYTICS.md defines every number."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, g, render_template, request
from flask_babel import gettext

from guide import analytics, i18n
from guide.access import policy
from guide.analytics.guide_list import guides_summary
from guide.analytics.guide_users import guide_users
from guide.authoring import bp
from guide.authoring.analytics_compare import Figure, headline
from guide.authoring.analytics_csv import filename, report_csv, users_csv
from guide.authoring.charts import TREND_SERIES, funnel_chart, trend_chart
from guide.authoring.report_range import ReportRange, range_of, today_in
from guide.authoring.views_accounts import duration_text as _duration
from guide.errors import GuideError, NotFound
from guide.i18n import N_
from guide.schemas.analytics import PRESETS
from guide.services.localize import localize
from guide.services.published import published_guide, published_guides

USERS_PER_PAGE = 50
# A funnel bar's friction note, part by part.
FRICTION_NOTES = (("target_missing", N_("%(count)s target missing")),
                  ("stuck", N_("%(count)s Stuck?")),
                  ("help_opened", N_("%(count)s help opened")),
                  ("escalations", N_("%(count)s escalated")))


def _range() -> ReportRange:
    """The page's range, or the admin's 400 page naming what is wrong with it."""
    try:
        return range_of(request.args, today_in(g.workspace))
    except GuideError as error:
        abort(400, _message(error))


def _report(key: str, chosen: ReportRange, *, filtered: bool = False) -> dict[str, Any]:
    """The Guide report; of the users ``chosen.filters`` matches when ``filtered``."""
    filters = chosen.filters if filtered and chosen.filters.active else None
    try:
        return analytics.guide_report(g.workspace, key, chosen.start, chosen.end, filters)
    except NotFound as error:
        abort(404, i18n.localize(error.message))
    except GuideError as error:
        abort(error.status, _message(error))


def _message(error: GuideError) -> str:
    details = "; ".join(f"{name}: {' '.join(problem) if isinstance(problem, list) else problem}"
                        for name, problem in (error.fields or {}).items())
    return f"{error.message} {details}".strip() if details else error.message


@bp.route("/w/<workspace>/analytics")
@policy(GET="viewer")
def analytics_home(workspace: str) -> Any:
    """Every published checklist, tour and plan with its headline numbers for the range."""
    chosen = _range()
    # Surveys and messages have their own results (views_surveys), not a guide's funnel.
    pairs = [pair for pair in published_guides(g.workspace.id)
             if pair[0].kind in ("checklist", "tour", "plan")]
    try:
        numbers = guides_summary(g.workspace, [guide.key for guide, _ in pairs], chosen.start,
                                 chosen.end)
    except GuideError as error:
        abort(error.status, _message(error))
    rows = [(guide, version, numbers[guide.key]) for guide, version in pairs]
    return render_template("admin/analytics.html", rows=rows, chosen=chosen, presets=PRESETS)


@bp.route("/w/<workspace>/analytics/guides/<key>")
@policy(GET="viewer")
def guide_analytics(workspace: str, key: str) -> Any:
    """One guide's report beside the previous period of equal length."""
    chosen = _range()
    report = _report(key, chosen, filtered=True)
    before = chosen.previous()
    previous = _report(key, before, filtered=True)
    pair = published_guide(g.workspace.id, key)
    trend_rows = analytics.by_week(report["days"]) if chosen.by == "week" else report["days"]
    users = _users(key, chosen, chosen.page)
    return render_template(
        "admin/analytics_guide.html", report=report, previous=previous, before=before,
        chosen=chosen, presets=PRESETS, version=pair[1] if pair else None, filterable=True,
        figures=headline(report, previous), trend=trend_chart(trend_rows, chosen.by),
        trend_rows=trend_rows, trend_series=TREND_SERIES, users=users,
        funnel=funnel_chart(report["started"]["unique"], _funnel_bars(report, pair)))


def _funnel_bars(report: dict[str, Any], pair: Any) -> list[dict[str, Any]]:
    """The funnel's bars: each step by its title (its key when it has none), and its
    friction beside it (the counts that are not 0), so the chart says why users leave."""
    version, locale = (pair[1] if pair else None), g.workspace.default_locale
    bars = []
    for step in report["steps"]:
        found = version.step(step["step"]) if version else None
        title = localize(found.get("title"), locale, locale) if found else None
        parts = [gettext(text, count=step[name]) for name, text in FRICTION_NOTES
                 if step[name]]
        bars.append({"step": title or step["step"], "completed": step["completed"],
                     "note": ", ".join(parts)})
    return bars


@bp.route("/w/<workspace>/analytics/guides/<key>/report.csv")
@policy(GET="viewer")
def guide_analytics_csv(workspace: str, key: str) -> Any:
    """The report's headline numbers and funnel as a CSV download."""
    report = _report(key, _range(), filtered=True)
    response = Response(report_csv(report), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename=filename(report))
    return response


def _users(key: str, chosen: ReportRange, page: int | None) -> dict[str, Any]:
    """A page of the guide's users table (``page`` None: all of them)."""
    filters = chosen.filters if chosen.filters.active else None
    try:
        return guide_users(g.workspace, key, chosen.start, chosen.end, filters, page or 1,
                           None if page is None else USERS_PER_PAGE)
    except GuideError as error:
        abort(error.status, _message(error))


@bp.route("/w/<workspace>/analytics/guides/<key>/users.csv")
@policy(GET="viewer")
def guide_users_csv(workspace: str, key: str) -> Any:
    """Every user of the guide's users table for the range, as a CSV download."""
    table = _users(key, _range(), None)
    response = Response(users_csv(table), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment",
                         filename=filename(table, "users"))
    return response


@bp.app_template_filter("admin_rate")
def _admin_rate(value: float | None) -> str:
    """A share as a percentage with one decimal; ``none`` when there is no denominator."""
    return gettext("none") if value is None else i18n.percent(value)


@bp.app_template_filter("admin_seconds")
def _admin_seconds(value: float | None) -> str:
    return gettext("none") if value is None else _duration(value)


@bp.app_template_filter("admin_points")
def _admin_points(value: float) -> str:
    """A change of a rate in percentage points: ``+2.5 pts``, ``-8,3 pts`` in French."""
    return gettext("%(lift)s pts", lift=i18n.decimal(value * 100, sign=True))


@bp.app_template_filter("admin_signed_points")
def _admin_signed_points(value: float) -> str:
    return i18n.decimal(value * 100, sign=True)


@bp.app_template_filter("admin_figure")
def _admin_figure(figure: Figure, which: str) -> str:
    value = getattr(figure, which)
    if figure.kind == "rate":
        return _admin_rate(value)
    if figure.kind == "points":
        return gettext("none") if value is None else _admin_points(value)
    if figure.kind == "seconds":
        return _admin_seconds(value)
    if figure.kind == "number":
        return gettext("none") if value is None else i18n.decimal(value)
    return str(int(value))


@bp.app_template_filter("admin_delta")
def _admin_delta(figure: Figure) -> str:
    """The change from the previous period: ``+2``, ``-12.5 pts``, ``+1h 5m``, ``no change``."""
    delta = figure.delta
    if delta is None:
        return gettext("not comparable")
    if delta == 0:
        return gettext("no change")
    sign = "+" if delta > 0 else "-"
    if figure.kind in ("rate", "points"):
        return _admin_points(delta)
    if figure.kind == "seconds":
        return sign + _duration(abs(delta))
    if figure.kind == "number":
        return i18n.decimal(delta, sign=True)
    return f"{sign}{abs(int(delta))}"
