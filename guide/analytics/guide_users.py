"""The Guide report's users table (docs/ANALYTICS.md, "The Guide report", users).

Who: the users with at least one fact about the guide (any metric, any step) on a
day of the range, in the rollups or the tail, and in the filters when given;
latest active first. For each: their status and progress on the guide now
(``progress``: the published version's steps they have completed), their
account, and their last active day on the guide in the range.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import sqlalchemy as sa

from guide.analytics import store
from guide.analytics.filters import Filters
from guide.analytics.guide_report import checked_guide
from guide.extensions import db
from guide.models import Account, AnalyticsUserDay, EndUser, Progress, Workspace

PER_PAGE = 50
CHUNK = 500


def guide_users(workspace: Workspace, guide_key: str, start: date, end: date,
                filters: Filters | None = None, page: int = 1,
                per_page: int | None = PER_PAGE) -> dict[str, Any]:
    """One page of the table (``per_page`` None: every user, for the CSV)."""
    guide, version = checked_guide(workspace, guide_key, start, end)
    users = filters.user_ids(workspace) if filters else None
    last = store.consistent(workspace.id, lambda after: _last_days(
        workspace, guide_key, start, end, after, users))
    ordered = sorted(last, key=lambda user: (-last[user].toordinal(), user))
    size = per_page or max(1, len(ordered))
    chosen = ordered[(page - 1) * size:page * size]
    steps = version.step_ids
    people = _people(workspace, guide.id, chosen)
    db.session.rollback()
    rows = []
    for user in (user for user in chosen if user in people):  # erased meanwhile: gone
        external_id, account, state, completed, current = people[user]
        done = (_tour_steps_passed(steps, state, current) if guide.kind == "tour"
                else len(set(completed or []) & set(steps)))
        rows.append({"user": external_id, "account": account, "status": state or "not_started",
                     "completed_steps": done, "progress": done / len(steps) if steps else None,
                     "last_active": last[user].isoformat()})
    return {"guide": guide_key, "start": start.isoformat(), "end": end.isoformat(),
            "timezone": workspace.timezone, "total": len(ordered), "page": page,
            "per_page": per_page, "pages": max(1, math.ceil(len(ordered) / size)),
            "steps": len(steps), "users": rows}


def _last_days(workspace: Workspace, guide: str, start: date, end: date, after: int,
               users: frozenset[int] | None) -> dict[int, date]:
    u = AnalyticsUserDay
    last: dict[int, date] = {
        user: day for user, day in db.session.execute(
            sa.select(u.user_id, sa.func.max(u.day)).where(
                u.workspace_id == workspace.id, u.guide_key == guide,
                u.day.between(start, end)).group_by(u.user_id))
        if users is None or user in users}
    for _, _, _, day, user in store.tail_tally(workspace, after, guide, users).users:
        if start <= day <= end:
            last[user] = max(day, last.get(user, day))
    return last


def _tour_steps_passed(steps: list[str], state: str | None, current: str | None) -> int:
    """A tour completes no step on its own: every step once it is completed, else the
    steps before the one it is on."""
    if state == "completed":
        return len(steps)
    return steps.index(current) if current in steps else 0


def _people(workspace: Workspace, guide_id: int, ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """Each user's id, account and progress on the guide (status, completed steps, the
    step it is on)."""
    found = {}
    for first in range(0, len(ids), CHUNK):
        for user, external_id, account, state, completed, current in db.session.execute(
                sa.select(EndUser.id, EndUser.external_id, Account.external_id, Progress.state,
                          Progress.completed_steps, Progress.current_step)
                .outerjoin(Account, Account.id == EndUser.account_id)
                .outerjoin(Progress, sa.and_(Progress.user_id == EndUser.id,
                                             Progress.guide_id == guide_id))
                .where(EndUser.workspace_id == workspace.id,
                       EndUser.id.in_(ids[first:first + CHUNK]))):
            found[user] = (external_id, account, state, completed, current)
    return found
