"""The server-side SVG charts' geometry (guide/authoring/charts.py)."""

from __future__ import annotations

import pytest

from guide.authoring.charts import (
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    funnel_chart,
    nice_step,
    trend_chart,
)


@pytest.mark.parametrize(("largest", "step"), [(0, 1), (3, 1), (7, 2), (20, 5), (37, 10),
                                               (120, 50), (4000, 1000)])
def test_axis_steps_are_one_two_or_five_times_a_power_of_ten(largest, step):
    assert nice_step(largest) == step


def day(n, **counts):
    return {"day": f"2026-03-{n:02d}", "seen": 0, "started": 0, "completed": 0, "dismissed": 0,
            "snoozed": 0, **counts}


def test_the_trend_spans_the_plot_and_its_top_tick_covers_the_largest_count():
    chart = trend_chart([day(1, started=7), day(2, completed=3), day(3)])
    started = chart.series[0]
    assert [x for x, _ in started.points] == [LEFT, LEFT + (WIDTH - LEFT - RIGHT) / 2, WIDTH - RIGHT]
    assert [t.label for t in chart.y_ticks] == ["0", "2", "4", "6", "8"]
    assert started.points[0][1] == TOP + (HEIGHT - TOP - 28) * (1 - 7 / 8)
    assert started.path.count(",") == 3 and chart.baseline == HEIGHT - 28


def test_a_one_day_trend_is_centred_and_an_empty_one_has_a_zero_axis():
    chart = trend_chart([day(1)])
    assert chart.series[0].points == [(LEFT + (WIDTH - LEFT - RIGHT) / 2, HEIGHT - 28)]
    assert [t.label for t in chart.y_ticks] == ["0", "1"]


def test_funnel_bars_are_proportional_to_the_largest():
    chart = funnel_chart(4, [{"step": "a", "completed": 2}, {"step": "b", "completed": 0}])
    widths = [bar.width for bar in chart.bars]
    assert [bar.label for bar in chart.bars] == ["Started", "a", "b"]
    assert widths[1] == widths[0] / 2 and widths[2] == 0
    assert [bar.tone for bar in chart.bars] == ["start", "", ""]  # only "Started" is grey
