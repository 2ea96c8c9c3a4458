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

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STEP_COLUMNS = ("step", "completed", "drop_off", "drop_off_rate", "shown", "expanded", "clicked",
                "target_missing", "help_opened", "escalations")
METRICS = ("eligible", "seen", "checklist_open", "started", "completed", "dismissed", "snoozed")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_cell(value: Any) -> Any:
    """``value``, with text that a spreadsheet would run as a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def filename(report: dict[str, Any]) -> str:
    """``guide-<key>-<start>-<end>.csv``, with only letters, digits, dots, dashes, underscores."""
    name = f"guide-{report['guide']}-{report['start']}-{report['end']}"
    return _UNSAFE_NAME.sub("_", name) + ".csv"


def report_csv(report: dict[str, Any]) -> str:
    """The report's range, headline numbers and funnel, as one CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def row(*cells: Any) -> None:
        writer.writerow([safe_cell(cell) for cell in cells])

    row("guide", report["guide"])
    row("kind", report["kind"])
    row("start", report["start"])
    row("end", report["end"])
    row("timezone", report["timezone"])
    row()
    row("metric", "total", "unique")
    for metric in METRICS:
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
