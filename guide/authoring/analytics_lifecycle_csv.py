"""The lifecycle report, the portfolio and an account's timeline as CSV downloads, with
analytics_csv's guard against cells a spreadsheet would run as formulas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from guide.authoring.analytics_csv import _Rows

FUNNEL_COLUMNS = ("key", "title", "expected_days", "reached", "share", "drop_off",
                  "drop_off_rate")
STALL_COLUMNS = ("key", "title", "stalls", "escalations", "drop_off")
ACCOUNT_COLUMNS = ("account", "name", "csm", "stage", "status", "started_at", "last_activity",
                   "users", "milestones_due", "milestones_reached")
ITEM_COLUMNS = ("at", "lane", "kind", "label", "key", "detail", "user", "due_at")


def _sheet(write: Callable[[_Rows], None]) -> str:
    row = _Rows()
    write(row)
    return row.out.getvalue()


def lifecycle_csv(report: dict[str, Any]) -> str:
    """Range, the milestone funnel with time to value, stalls, cohorts, stage counts."""
    def write(row: _Rows) -> None:
        for name in ("start", "end", "timezone", "within_days", "signups"):
            row(name, report[name])
        row.filters(report)
        row()
        row(*FUNNEL_COLUMNS, "time_to_value_median_seconds", "time_to_value_p90_seconds")
        for m in report["milestones"]:
            row(*(m[c] for c in FUNNEL_COLUMNS), m["time_to_value"]["median"],
                m["time_to_value"]["p90"])
        row()
        row("stalls", *STALL_COLUMNS[1:])
        for stall in report["stalls"]:
            row(*(stall[c] for c in STALL_COLUMNS))
        row()
        row("week", "signups", "complete", "milestone", "reached", "share", "within",
            "within_share")
        for week in report["cohorts"]:
            for cell in week["cells"]:
                row(week["week"], week["signups"], week["complete"], cell["key"],
                    cell["reached"], cell["share"], cell["within"], cell["within_share"])
        row()
        row("subject", "stage", "title", "count", "configured")
        for subject in ("users", "accounts"):
            for stage in report["stages"][subject]:
                row(subject, stage["stage"], stage["title"], stage["count"],
                    stage["configured"])
    return _sheet(write)


def portfolio_csv(report: dict[str, Any]) -> str:
    """One row per account that passes the filters; its overdue milestones in one cell.
    Filtered by segment or locale: those filters first, then an empty row."""
    def write(row: _Rows) -> None:
        if "filters" in report:
            row.filters(report)
            row()
        row(*ACCOUNT_COLUMNS, "overdue", "next_due", "next_due_at")
        for account in report["accounts"]:
            nxt = account["next_due"] or {}
            row(*(account[c] for c in ACCOUNT_COLUMNS),
                " ".join(o["milestone"] for o in account["overdue"]),
                nxt.get("milestone"), nxt.get("due_at"))
    return _sheet(write)


def timeline_csv(timeline: dict[str, Any]) -> str:
    def write(row: _Rows) -> None:
        row("account", timeline["account"])
        row("status", timeline["status"])
        row()
        row(*ITEM_COLUMNS)
        for item in timeline["items"]:
            row(*(item[c] for c in ITEM_COLUMNS))
    return _sheet(write)
