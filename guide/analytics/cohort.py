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
# Users per IN list.
CHUNK = 500


def cohort_of(workspace: Workspace, guide: str, start: date, end: date, tail: Tally,
              users: frozenset[int] | None = None) -> dict[str, Any]:
    """The cohort of ``start..end`` (of ``users`` when given): rolled rows plus the tail's
    facts (``tail``, folded by the caller against the same watermark)."""
    u = AnalyticsUserDay
    where = (u.workspace_id == workspace.id, u.guide_key == guide, u.step_id == GUIDE_LEVEL)
    if users is not None:  # a filtered report: its users' days, read one by one
        started, completed = _days(where, start, end)
        merge(tail, guide, start, end, started, completed)
        return shaped(started, completed, users)
    # Counted in the database (reading every user's days cost most of a report); the
    # users the tail has news of apart: their rolled part out, their merged days in.
    news = {user for g, step, metric, _, user in tail.users
            if g == guide and step == GUIDE_LEVEL and metric in (STARTED, COMPLETED)}
    cohort, done = _counted(where, start, end)
    started, completed = _days(where, start, end, sorted(news)) if news else ({}, {})
    rolled = shaped(started, completed, None)
    merge(tail, guide, start, end, started, completed)
    merged = shaped(started, completed, None)
    cohort += merged["started"] - rolled["started"]
    done += merged["completed"] - rolled["completed"]
    return {"started": cohort, "completed": done, "rate": done / cohort if cohort else None}


def _days(where: tuple[Any, ...], start: date, end: date,
          ids: list[int] | None = None) -> tuple[Days, Days]:
    """Rolled: each user's first start in the range and last completion from its start
    (of ``ids`` only, when given)."""
    u, started, completed = AnalyticsUserDay, {}, {}
    chunks = [None] if ids is None else [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]
    for chunk in chunks:
        of = () if chunk is None else (u.user_id.in_(chunk),)
        started.update(db.session.execute(
            sa.select(u.user_id, sa.func.min(u.day)).group_by(u.user_id)
            .where(*where, *of, u.metric == STARTED, u.day.between(start, end))).all())
        completed.update(db.session.execute(
            sa.select(u.user_id, sa.func.max(u.day)).group_by(u.user_id)
            .where(*where, *of, u.metric == COMPLETED, u.day >= start)).all())
    return started, completed


def _counted(where: tuple[Any, ...], start: date, end: date) -> tuple[int, int]:
    """Rolled: how many users started in the range, and how many of them completed on a
    day from their first start in it (each user's first start joined to their last
    completion: a hash join beat a probe per user by a third at 12,000 users)."""
    u = AnalyticsUserDay
    cohort = (sa.select(u.user_id, sa.func.min(u.day).label("first"))
              .where(*where, u.metric == STARTED, u.day.between(start, end))
              .group_by(u.user_id).subquery())
    done = (sa.select(u.user_id, sa.func.max(u.day).label("last"))
            .where(*where, u.metric == COMPLETED, u.day >= start)
            .group_by(u.user_id).subquery())
    return tuple(db.session.execute(
        sa.select(sa.func.count(), sa.func.count(done.c.user_id))
        .select_from(cohort.outerjoin(done, sa.and_(done.c.user_id == cohort.c.user_id,
                                                    done.c.last >= cohort.c.first)))).one())


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
