"""The Guide report's cohort completion rate (docs/ANALYTICS.md, "The Guide report").

Of the users who started the guide on a day of the range (the cohort), the share
who completed it on a day from their first start in the range up to now, in the
rollups or the tail: unlike the completion rate, it never passes 100%, and it
keeps growing while the cohort's late finishers finish.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from guide.analytics.facts import COMPLETED, STARTED
from guide.analytics.tally import Tally
from guide.extensions import db
from guide.models import AnalyticsUserDay, Workspace
from guide.models.analytics import GUIDE_LEVEL

# user -> first local day they started in the range; user -> last day they completed.
Days = dict[int, date]


def cohort_of(workspace: Workspace, guide: str, start: date, end: date, tail: Tally,
              users: frozenset[int] | None = None) -> dict[str, Any]:
    """The cohort of ``start..end`` (of ``users`` when given): rolled rows plus the tail's
    facts (``tail``, folded by the caller against the same watermark)."""
    u = AnalyticsUserDay
    where = (u.workspace_id == workspace.id, u.guide_key == guide, u.step_id == GUIDE_LEVEL)
    started: Days = dict(db.session.execute(
        sa.select(u.user_id, sa.func.min(u.day)).where(
            *where, u.metric == STARTED, u.day.between(start, end)).group_by(u.user_id)).all())
    completed: Days = dict(db.session.execute(
        sa.select(u.user_id, sa.func.max(u.day)).where(
            *where, u.metric == COMPLETED, u.day >= start).group_by(u.user_id)).all())
    merge(tail, guide, start, end, started, completed)
    return shaped(started, completed, users)


def merge(tally: Tally, guide: str, start: date, end: date, started: Days,
          completed: Days) -> None:
    """Add a tally's starts in the range and completions from its start onwards."""
    for g, step, metric, day, user in tally.users:
        if g != guide or step != GUIDE_LEVEL:
            continue
        if metric == STARTED and start <= day <= end:
            started[user] = min(day, started.get(user, day))
        elif metric == COMPLETED and day >= start:
            completed[user] = max(day, completed.get(user, day))


def shaped(started: Days, completed: Days, users: frozenset[int] | None) -> dict[str, Any]:
    cohort = {user: day for user, day in started.items() if users is None or user in users}
    done = sum(1 for user, day in cohort.items() if completed.get(user, date.min) >= day)
    return {"started": len(cohort), "completed": done,
            "rate": done / len(cohort) if cohort else None}
