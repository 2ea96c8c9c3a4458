"""The Guide report as CSV: its range, the headline numbers, then the step funnel.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return, which some strip first) as a formula, so every text cell
that does is written with a leading apostrophe (OWASP, "CSV Injection").
Numbers are written as numbers: a negative drop-off stays ``-1``.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from guide.analytics.surveys import CSV_COLUMNS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STEP_COLUMNS = ("step", "completed", "drop_off", "drop_off_rate", "shown", "expanded", "clicked",
                "target_missing", "stuck", "help_opened", "escalations")
METRICS = ("eligible", "seen", "checklist_open", "started", "completed", "dismissed", "snoozed")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_cell(value: Any) -> Any:
    """``value``, with text that a spreadsheet would run as a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def filename(report: dict[str, Any], part: str = "") -> str:
    """``guide-<key>[-<part>]-<start>-<end>.csv``, with only letters, digits, dots, dashes,
    underscores."""
    name = f"guide-{report['guide']}{'-' + part if part else ''}-{report['start']}-{report['end']}"
    return _UNSAFE_NAME.sub("_", name) + ".csv"


class _Rows:
    """A CSV text written a row at a time, every cell through ``safe_cell``."""

    def __init__(self) -> None:
        self.out = io.StringIO()
        self.writer = csv.writer(self.out, lineterminator="\r\n")

    def __call__(self, *cells: Any) -> None:
        self.writer.writerow([safe_cell(cell) for cell in cells])

    def filters(self, report: dict[str, Any]) -> None:
        """A filtered report's filters and matched users (docs/ANALYTICS.md, "Filters")."""
        for name in ("segment", "locale", "users", "totals"):
            if name in report.get("filters", {}):
                self(f"filter_{name}", report["filters"][name])


def csv_name(*parts: str) -> str:
    """The parts joined by dashes, anything but letters, digits, dots, dashes and
    underscores replaced, and ``.csv``."""
    return _UNSAFE_NAME.sub("_", "-".join(parts)) + ".csv"


def report_csv(report: dict[str, Any]) -> str:
    """The report's range, headline numbers and funnel, as one CSV text."""
    row = _Rows()
    row("guide", report["guide"])
    row("kind", report["kind"])
    row("start", report["start"])
    row("end", report["end"])
    row("timezone", report["timezone"])
    row.filters(report)
    row()
    row("metric", "total", "unique")
    for metric in METRICS:
        row(metric, report[metric]["total"], report[metric]["unique"])
    row("completion_rate", report["completion_rate"], "")
    row("cohort_started", report["cohort"]["started"], "")
    row("cohort_completed", report["cohort"]["completed"], "")
    row("cohort_completion_rate", report["cohort"]["rate"], "")
    row("time_to_complete_median_seconds", report["time_to_complete"]["median"], "")
    row("time_to_complete_p90_seconds", report["time_to_complete"]["p90"], "")
    row()
    row(*STEP_COLUMNS, "time_on_step_median_seconds", "time_on_step_p90_seconds")
    for step in report["steps"]:
        row(*(step[column] for column in STEP_COLUMNS), step["time_on_step"]["median"],
            step["time_on_step"]["p90"])
    return row.out.getvalue()


USER_COLUMNS = ("user", "account", "status", "completed_steps", "progress", "last_active")


def users_csv(table: dict[str, Any]) -> str:
    """A guide's users table, every user, latest active first."""
    row = _Rows()
    row(*USER_COLUMNS, "steps")
    for user in table["users"]:
        row(*(user[column] for column in USER_COLUMNS), table["steps"])
    return row.out.getvalue()


# ---------------------------------------------------------------- proactive vs reactive

SIDE_COLUMNS = ("active", "needed_human", "self_service", "idle", "reactive_share")
HELP_COLUMNS = ("sessions", "resolved", "escalated", "pending", "resolved_rate")
WHERE = (("guides", ("guide",)), ("steps", ("guide", "step")), ("articles", ("article",)),
         ("pages", ("page",)))


def reactive_filename(report: dict[str, Any]) -> str:
    return _UNSAFE_NAME.sub("_", f"reactive-{report['start']}-{report['end']}") + ".csv"


def reactive_csv(report: dict[str, Any]) -> str:
    """The proactive vs reactive report: its weeks, their totals, where escalations start."""
    row = _Rows()
    row("start", report["start"])
    row("end", report["end"])
    row("timezone", report["timezone"])
    row("target", report["target"])
    row.filters(report)
    row()
    sides = [f"{side}_{column}" for side in ("users", "accounts") for column in SIDE_COLUMNS]
    row("week", "end", "users_onboarding", "accounts_onboarding", *sides, "escalations",
        "escalations_per_100", *(f"help_{column}" for column in HELP_COLUMNS), "above_target")

    def numbers(part: dict[str, Any]) -> list[Any]:
        return [*(part[side][column] for side in ("users", "accounts")
                  for column in SIDE_COLUMNS), part["escalations"],
                part["escalations_per_100"], *(part["help"][column] for column in HELP_COLUMNS)]

    for week in report["weeks"]:
        row(week["week"], week["end"], week["users"]["onboarding"],
            week["accounts"]["onboarding"], *numbers(week), week["above_target"])
    row("total", "", "", "", *numbers(report["totals"]), "")
    row()
    row("escalations_start", "guide", "step", "article", "page", "count")
    for kind, names in WHERE:
        for found in report["escalations_start"][kind]:
            where = {name: found[name] for name in names}
            row(kind, where.get("guide"), where.get("step"), where.get("article"),
                where.get("page"), found["count"])
    return row.out.getvalue()


# ---------------------------------------------------------------- the Scenarios report

ARM_COLUMNS = ("firings", "pending", "matured", "converted", "rate")


def scenarios_csv(report: dict[str, Any]) -> str:
    """The Scenarios report: its range, then one row per scenario (both arms, the lift)."""
    row = _Rows()
    row("start", report["start"])
    row("end", report["end"])
    row("timezone", report["timezone"])
    row("computed_at", report["now"])
    row.filters(report)
    row()
    arms = [f"{arm}_{column}" for arm in ("treated", "held_out")
            for column in (*ARM_COLUMNS, "rate_low", "rate_high")]
    row("scenario", "title", "configured", "goal_kind", "goal_key", "goal_days",
        "holdout_percent", *arms, "lift", "lift_low", "lift_high")
    for item in report["scenarios"]:
        goal = item["goal"] or {}
        cells = []
        for arm in ("treated", "held_out"):
            numbers, ci = item[arm], item[arm]["rate_ci"] or [None, None]
            cells += [*(numbers[column] for column in ARM_COLUMNS), *ci]
        row(item["scenario"], item["title"], item["configured"], goal.get("kind"),
            goal.get("key"), goal.get("days"), item["holdout"], *cells, item["lift"],
            *(item["lift_ci"] or [None, None]))
    return row.out.getvalue()


# ---------------------------------------------------------------- help searches

QUERY_COLUMNS = ("query", "searches", "users", "zero_results")


def help_searches_csv(report: dict[str, Any]) -> str:
    """Help searches: the range and totals, then the zero-result queries and the top queries,
    one row each. Queries are what users typed: the formula guard is what keeps them inert."""
    row = _Rows()
    row("start", report["start"])
    row("end", report["end"])
    row("timezone", report["timezone"])
    row.filters(report)
    row("searches", report["searches"])
    row("zero_result_searches", report["zero_result_searches"])
    row()
    row("list", *QUERY_COLUMNS)
    for ranking in ("zero_result_queries", "top_queries"):
        for found in report[ranking]:
            row(ranking, *(found[column] for column in QUERY_COLUMNS))
    return row.out.getvalue()


def survey_csv(rows: list[tuple[Any, ...]]) -> str:
    """A survey's answers (``surveys.survey_csv_rows``) under their column names."""
    out = _Rows()
    out(*CSV_COLUMNS)
    for row in rows:
        out(*row)
    return out.out.getvalue()
