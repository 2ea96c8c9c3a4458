"""The Scenarios report's chart: each scenario's conversion per arm with its 95% interval,
drawn on the server as SVG like ``charts`` (no script, no inline style; the table beside it
holds every number). Per scenario its key on a line of its own, then one row per arm: a whisker
from the interval's low to its high end and a dot at the rate, on a 0-100% axis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guide.authoring.charts import TOP, WIDTH, Tick

LABEL_WIDTH, VALUE_WIDTH = 90, 56
ROW, GROUP_GAP, HEADING, AXIS = 20, 10, 24, 24
ARMS = (("treated", "treated"), ("held_out", "held out"))


@dataclass(frozen=True)
class ArmRow:
    scenario: str
    arm: str
    label: str
    y: float
    rate: float | None
    x: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Heading:
    """A scenario's name, on its own line above its two arms."""

    label: str
    y: float


@dataclass(frozen=True)
class IntervalChart:
    width: int
    height: int
    left: int
    right: int
    ticks: list[Tick]
    headings: list[Heading]
    rows: list[ArmRow]


def conversion_chart(scenarios: list[dict[str, Any]]) -> IntervalChart:
    """Conversion rate and Wilson interval of each arm of each scenario that has a goal."""
    left, right = LABEL_WIDTH, WIDTH - VALUE_WIDTH

    def x(share: float) -> float:
        return left + (right - left) * share

    headings, rows, y = [], [], float(TOP)
    for row in (s for s in scenarios if s["goal"]):
        y += HEADING
        headings.append(Heading(row["scenario"], y - 14))
        for arm, words in ARMS:
            numbers = row[arm]
            rate, ci = numbers["rate"], numbers["rate_ci"]
            rows.append(ArmRow(row["scenario"], arm, words, y, rate,
                               None if rate is None else x(rate),
                               None if ci is None else x(ci[0]),
                               None if ci is None else x(ci[1])))
            y += ROW
        y += GROUP_GAP
    ticks = [Tick(x(share / 100), f"{share}%") for share in (0, 25, 50, 75, 100)]
    return IntervalChart(WIDTH, int(y + AXIS), left, right, ticks, headings, rows)
