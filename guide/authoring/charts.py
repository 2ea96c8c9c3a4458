"""Charts for the analytics pages, drawn on the server as SVG.

Why SVG from the server rather than a JavaScript chart library: the admin runs
under a strict CSP (``script-src 'self'; style-src 'self'``, no CDN), and the
charts here are two simple shapes (a daily trend, a step funnel) whose numbers
are already in the page's data tables. Computing the geometry here and drawing
it with a Jinja macro (``admin/_charts.html``) ships no script and no inline
style, escapes every label like the rest of the page, works without
JavaScript, and keeps one source of truth with the table beside each chart.
This module only computes coordinates; colours are classes in admin.css.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext

from guide.i18n import N_

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
MAX_X_LABELS = 7
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH = 22, 8, 190
# Characters of a bar's label that fit LABEL_WIDTH at the chart's 12px (the whole text is
# the bar's <title>, and in the table beside it); a note's line under its bar.
LABEL_CHARS, NOTE_HEIGHT = 27, 14
# Each series also has its own dash pattern, so the lines differ without colour.
TREND_SERIES = (("started", N_("Started"), ""), ("completed", N_("Completed"), "6 3"),
                ("dismissed", N_("Dismissed"), "2 3"))


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Series:
    name: str
    label: str
    dash: str
    points: list[tuple[float, float]]

    @property
    def path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    series: list[Series]
    baseline: float


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: float
    width: float
    # Its colour, a class in admin.css (``bar-<tone>``): "start" for a funnel's first bar,
    # "promoter", "passive" or "detractor" for an NPS band; "" for the accent colour.
    tone: str = ""
    # The whole label (a shortened ``label`` is drawn), and a line drawn under the bar.
    title: str = ""
    note: str = ""


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]


def nice_step(largest: int, ticks: int = 4) -> int:
    """1, 2 or 5 times a power of ten: about ``ticks`` intervals from 0 to ``largest``."""
    rough = max(largest / ticks, 1)
    power = 10 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= rough)


def trend_chart(days: list[dict[str, Any]], key: str = "day") -> LineChart:
    """Started, completed and dismissed per local day (the report's ``days``), or per week
    (``weeks``, ``key="week"``: labelled by their Monday)."""
    labels = [_short(date.fromisoformat(day[key])) for day in days]
    return line_chart(labels, [(name, gettext(label), dash, [day[name] for day in days])
                               for name, label, dash in TREND_SERIES])


# The reactive share trend: the weeks' shares (users, accounts) and the target, in percent.
SHARE_SERIES = (("users", N_("Users who needed a human"), ""),
                ("accounts", N_("Accounts that needed a human"), "6 3"),
                ("target", N_("Target"), "2 3"))


def share_chart(weeks: list[dict[str, Any]], target: float) -> LineChart:
    """Each week's reactive share of users and of accounts, in percent, with the target line
    (a week without a share has no point: its line joins the weeks around it)."""
    labels = [_short(date.fromisoformat(week["week"])) for week in weeks]

    def shares(side: str) -> list[float | None]:
        return [None if week[side]["reactive_share"] is None
                else 100 * week[side]["reactive_share"] for week in weeks]

    values = {"users": shares("users"), "accounts": shares("accounts"),
              "target": [100 * target] * len(weeks)}
    return line_chart(labels, [(name, gettext(label), dash, values[name])
                               for name, label, dash in SHARE_SERIES], unit="%")


Line = tuple[str, str, str, list[float | None]]


def line_chart(labels: list[str], lines: list[Line], unit: str = "") -> LineChart:
    """Lines (name, label, dash, one value or None per label) from 0 up, labels on x."""
    largest = max((v for *_, values in lines for v in values if v is not None), default=0)
    step = nice_step(math.ceil(largest))
    top_value = step * max(1, math.ceil(largest / step))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(labels) - 1) if len(labels) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top_value)

    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    x_ticks = [Tick(x(i), labels[i]) for i in range(0, len(labels), every)]
    series = [Series(name, label, dash, [(x(i), y(v)) for i, v in enumerate(values)
                                         if v is not None])
              for name, label, dash, values in lines]
    y_ticks = [Tick(y(v), f"{v}{unit}") for v in range(0, top_value + 1, step)]
    return LineChart(WIDTH, HEIGHT, y_ticks, x_ticks, series, y(0))


def funnel_chart(started: int, steps: list[dict[str, Any]],
                 first_label: str = "Started") -> BarChart:
    """One bar for the users who started, then one per step: the users who completed it
    (the lifecycle report: who signed up, then who reached each milestone)."""
    rows = [(first_label, started)] + [(step["step"], step["completed"]) for step in steps]
    return bar_chart(rows, tones=["start"], notes=[""] + [step.get("note", "") for step in steps])


def short_label(text: str) -> str:
    """A bar's label short enough for the label column."""
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(rows: list[tuple[str, int]], tones: list[str] | None = None,
              notes: list[str] | None = None) -> BarChart:
    """One horizontal bar per (label, value), scaled to the largest value; ``tones`` colour
    the first bars (the rest keep the accent colour); ``notes``, a line under each bar
    (a funnel step's friction), make room for it."""
    largest = max((value for _, value in rows), default=0) or 1
    plot_w = WIDTH - LABEL_WIDTH - 48  # room for the value after the longest bar
    tones, notes = tones or [], notes or []
    step = BAR_HEIGHT + BAR_GAP + (NOTE_HEIGHT if any(notes) else 0)
    bars = [Bar(short_label(label), value, TOP + i * step, plot_w * value / largest,
                tones[i] if i < len(tones) else "", label, notes[i] if i < len(notes) else "")
            for i, (label, value) in enumerate(rows)]
    return BarChart(WIDTH, TOP * 2 + len(rows) * step, LABEL_WIDTH, bars)


def _short(day: date) -> str:
    return f"{day:%b} {day.day}"
