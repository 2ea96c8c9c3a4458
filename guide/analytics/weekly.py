"""The per-(user, local week) rollup (``analytics_user_week``), written with each batch.

What the proactive vs reactive report counts per week and user: active and
progressed (the ``$workspace`` day facts of the week) and the escalations the
user sent (the week's ``escalated`` moments). A rollup batch adds its tally's
weeks in the same transaction as its day rows, so the two always agree: a flag
is set once any batch set it, escalations add up (a batch never folds an event
twice). An event that arrives late from the offline queue counts in the week
of its event time, like its day row, whichever batch folds it.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from guide.analytics.facts import ACTIVE, ESCALATED, PROGRESSED, WORKSPACE
from guide.analytics.tally import Tally
from guide.extensions import db
from guide.models import AnalyticsUserWeek

# (week's Monday, user id, active, progressed, escalations)
WeekRow = tuple[date, int, int, int, int]

_PG_SAVE = (
    "INSERT INTO analytics_user_week (workspace_id, week, user_id, active, progressed, "
    "escalations) SELECT %(ws)b, * FROM unnest(CAST(%(w)b AS date[]), "
    "CAST(%(u)b AS integer[]), CAST(%(a)b AS smallint[]), CAST(%(p)b AS smallint[]), "
    "CAST(%(e)b AS integer[])) ON CONFLICT (workspace_id, week, user_id) DO UPDATE SET "
    "active = greatest(analytics_user_week.active, excluded.active), "
    "progressed = greatest(analytics_user_week.progressed, excluded.progressed), "
    "escalations = analytics_user_week.escalations + excluded.escalations")


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


def save(workspace_id: int, tally: Tally) -> None:
    """Add a folded batch's weeks to ``analytics_user_week`` (the caller's transaction)."""
    rows = week_rows(tally)
    if not rows:
        return
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        weeks, users, active, progressed, escalations = (list(c) for c in zip(*rows,
                                                                              strict=True))
        conn.exec_driver_sql(_PG_SAVE, {"ws": workspace_id, "w": weeks, "u": users,
                                        "a": active, "p": progressed, "e": escalations})
        return
    table = AnalyticsUserWeek.__table__
    stmt = sqlite.insert(table)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["workspace_id", "week", "user_id"],
        set_={"active": sa.func.max(table.c.active, stmt.excluded.active),
              "progressed": sa.func.max(table.c.progressed, stmt.excluded.progressed),
              "escalations": table.c.escalations + stmt.excluded.escalations}),
        [{"workspace_id": workspace_id, "week": week, "user_id": user, "active": a,
          "progressed": p, "escalations": e} for week, user, a, p, e in rows])
