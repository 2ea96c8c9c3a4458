"""The per-(user, local week) rollup (``analytics_user_week``), written with each batch.

What the proactive vs reactive report counts per week and user: active and
progressed (the ``$workspace`` day facts of the week) and the escalations the
user sent (the week's ``escalated`` moments). A rollup batch adds its tally's
weeks in the same transaction as its day rows, so the two always agree: a flag
is set once any batch set it, escalations add up (a batch never folds an event
twice). An event that arrives late from the offline queue counts in the week
of its event time, like its day row, whichever batch folds it. The rows are
written by ``reactive_weeks.save``, with the weekly counts they change.
"""

from __future__ import annotations

from datetime import date, timedelta

from guide.analytics.facts import ACTIVE, ESCALATED, PROGRESSED, WORKSPACE
from guide.analytics.tally import Tally

# (week's Monday, user id, active, progressed, escalations)
WeekRow = tuple[date, int, int, int, int]

def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_rows(tally: Tally) -> list[WeekRow]:
    """A tally's workspace-level facts, by (week, user)."""
    weeks: dict[tuple[date, int], list[int]] = {}
    for guide, _, metric, day, user in tally.users:
        if guide == WORKSPACE and metric in (ACTIVE, PROGRESSED):
            weeks.setdefault((monday(day), user), [0, 0, 0])[metric == PROGRESSED] = 1
    for metric, user, _, day in tally.moments.values():
        if metric == ESCALATED:
            weeks.setdefault((monday(day), user), [0, 0, 0])[2] += 1
    return sorted((week, user, *flags) for (week, user), flags in weeks.items())
