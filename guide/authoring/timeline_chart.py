"""An account's onboarding timeline drawn on the server as SVG (see charts.py for why).

One horizontal time axis from the account's start to now (or the last item,
when a deadline lies ahead), one lane per kind of item (milestones, plan
steps, nudges, escalations). Each lane has its own marker shape, filled for
what happened and hollow for what is due, so the chart reads without colour;
the table beside it lists every item. Only coordinates here: the macro is
``admin/_timeline_chart.html``, the colours are classes in admin.css.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

WIDTH = 640
LABEL_WIDTH, RIGHT, TOP, LANE_HEIGHT, AXIS = 100, 16, 10, 34, 26
TICKS = 6
SHAPES = {"milestones": "circle", "plan": "square", "nudges": "triangle",
          "escalations": "diamond"}
# What is still ahead or missed: drawn hollow.
PENDING = ("due", "overdue")


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    shape: str
    kind: str
    hollow: bool
    title: str

    @property
    def points(self) -> str:
        """The polygon of a triangle or a diamond (6 px from its centre)."""
        x, y, r = self.x, self.y, 6
        if self.shape == "triangle":
            return f"{x:.1f},{y - r:.1f} {x + r:.1f},{y + r:.1f} {x - r:.1f},{y + r:.1f}"
        return f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"


@dataclass(frozen=True)
class Lane:
    label: str
    y: float


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    label_width: int
    lanes: list[Lane]
    ticks: list[tuple[float, str, str]]  # x, label, text-anchor
    markers: list[Marker]
    now_x: float
    axis_y: float


def timeline_chart(timeline: dict[str, Any]) -> Timeline:
    """The geometry of ``analytics.account_timeline``'s items."""
    items = timeline["items"]
    now = datetime.fromisoformat(timeline["now"])
    times = [datetime.fromisoformat(item["at"]) for item in items] or [now]
    first, last = min(times + [now]), max(times + [now])
    span = max((last - first).total_seconds(), 86400.0)
    plot_w = WIDTH - LABEL_WIDTH - RIGHT

    def x(at: datetime) -> float:
        return LABEL_WIDTH + plot_w * (at - first).total_seconds() / span

    lanes = {lane["lane"]: Lane(lane["title"], TOP + (index + 0.5) * LANE_HEIGHT)
             for index, lane in enumerate(timeline["lanes"])}
    markers = [Marker(x(at), lanes[item["lane"]].y, SHAPES[item["lane"]], item["kind"],
                      item["kind"] in PENDING, f"{item['label']} ({item['kind']}), {at:%Y-%m-%d}")
               for item, at in zip(items, times, strict=True)]
    axis_y = TOP + len(lanes) * LANE_HEIGHT
    step = span / (TICKS - 1)
    moments = [first + timedelta(seconds=step * n) for n in range(TICKS)]
    # The last label ends at its tick, so it stays inside the chart.
    ticks = [(x(at), f"{at:%b} {at.day}", "end" if n == TICKS - 1 else "middle")
             for n, at in enumerate(moments)]
    return Timeline(WIDTH, int(axis_y + AXIS), LABEL_WIDTH, list(lanes.values()), ticks,
                    markers, x(now), axis_y)
