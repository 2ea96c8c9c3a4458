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
from collections.abc import Callable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STEP_COLUMNS = ("step", "completed", "drop_off", "drop_off_rate", "shown", "target_missing",
                "help_opened", "escalations")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_cell(value: Any) -> Any:
    """``value``, with text that a spreadsheet would run as a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def filename(report: dict[str, Any]) -> str:
    """``guide-<key>-<start>-<end>.csv``, with only letters, digits, dots, dashes, underscores."""
    return csv_name("guide", report["guide"], report["start"], report["end"])


def csv_name(*parts: str) -> str:
    """The parts joined by dashes, anything but letters, digits, dots, dashes and
    underscores replaced, and ``.csv``."""
    return _UNSAFE_NAME.sub("_", "-".join(parts)) + ".csv"


def _sheet() -> tuple[io.StringIO, Callable[..., None]]:
    """A CSV text and its ``row(*cells)`` writer (every cell through ``safe_cell``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def row(*cells: Any) -> None:
        writer.writerow([safe_cell(cell) for cell in cells])

    return out, row


def report_csv(report: dict[str, Any]) -> str:
    """The report's range, headline numbers and funnel, as one CSV text."""
    out, row = _sheet()
    row("guide", report["guide"])
    row("kind", report["kind"])
    row("start", report["start"])
    row("end", report["end"])
    row("timezone", report["timezone"])
    row()
    row("metric", "total", "unique")
    for metric in ("seen", "started", "completed", "dismissed", "snoozed"):
        row(metric, report[metric]["total"], report[metric]["unique"])
    row("completion_rate", report["completion_rate"], "")
    row("time_to_complete_median_seconds", report["time_to_complete"]["median"], "")
    row("time_to_complete_p90_seconds", report["time_to_complete"]["p90"], "")
    row()
    row(*STEP_COLUMNS, "time_on_step_median_seconds", "time_on_step_p90_seconds")
    for step in report["steps"]:
        row(*(step[column] for column in STEP_COLUMNS), step["time_on_step"]["median"],
            step["time_on_step"]["p90"])
    return out.getvalue()


# ---------------------------------------------------------------- the Scenarios report

ARM_COLUMNS = ("firings", "pending", "matured", "converted", "rate")


def scenarios_csv(report: dict[str, Any]) -> str:
    """The Scenarios report: its range, then one row per scenario (both arms, the lift)."""
    out, row = _sheet()
    row("start", report["start"])
    row("end", report["end"])
    row("timezone", report["timezone"])
    row("computed_at", report["now"])
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
    return out.getvalue()
