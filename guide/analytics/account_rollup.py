"""The accounts' rows (``analytics_account``) kept by the worker, and read with their tail.

The hot path writes ``end_user.first_seen``, ``last_seen`` and ``account_id`` and
inserts account milestones, with no hook. What changed since the worker's last pass is
found from the rows themselves: a user's every write of a new account or sign-up time
also moves ``last_seen`` to now (``services.users.upsert_user``), milestones are only
inserted (``reached_at`` now), and a user or milestone inserted late or backdated (an
import, a test) has a higher id. So the **tail** is the users with an id above
``last_user_id`` or seen after ``users_seen_at`` (that many seconds before the pass:
SETTLE, as for events, covers a transaction committing after the pass read), and the
account milestones likewise. An account is **dirty** when a user of the tail is in it
now or was counted in it (``analytics_member``), or a milestone of the tail is its.

The worker recomputes the dirty accounts' rows and moves the watermark; a report takes
the rows of the other accounts and computes the dirty ones now (a handful between two
passes), so it is exact at any moment and reads one narrow row per account, not one
per user. Erasing a user refreshes their accounts under the rollup lock (privacy).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from guide.extensions import db
from guide.models import (
    Account,
    AccountMilestone,
    AnalyticsAccount,
    AnalyticsMember,
    AnalyticsWatermark,
    EndUser,
)
from guide.models.analytics_accounts import live_rows, refresh_accounts
from guide.models.base import utcnow


def _watermark(workspace_id: int) -> tuple[int, datetime | None, int]:
    w = AnalyticsWatermark
    row = db.session.execute(sa.select(w.last_user_id, w.users_seen_at,
                                       w.last_account_milestone_id)
                             .where(w.workspace_id == workspace_id)).first()
    return (row[0] or 0, row[1], row[2] or 0) if row else (0, None, 0)


def _later(mark: tuple[int, datetime | None, int]) -> Any:
    """SQL: is the user in the tail past this watermark?"""
    later = EndUser.id > mark[0]
    return later if mark[1] is None else sa.or_(later, EndUser.last_seen > mark[1])


def _dirty(workspace_id: int, mark: tuple[int, datetime | None, int]) -> sa.CompoundSelect:
    """SQL: the ids of the dirty accounts (module docstring) past this watermark."""
    _, seen_at, last_milestone = mark
    u, m, am = EndUser, AnalyticsMember, AccountMilestone
    later = _later(mark)
    reached = am.id > last_milestone
    if seen_at is not None:
        reached = sa.or_(reached, am.reached_at > seen_at)
    return sa.union(
        sa.select(u.account_id).where(u.workspace_id == workspace_id, later,
                                      u.account_id.is_not(None)),
        sa.select(m.account_id).join(u, sa.and_(u.workspace_id == m.workspace_id,
                                                u.id == m.user_id))
        .where(m.workspace_id == workspace_id, later, m.account_id.is_not(None)),
        sa.select(am.account_id).join(Account, Account.id == am.account_id)
        .where(Account.workspace_id == workspace_id, reached))


def rows(workspace_id: int) -> Any:
    """A subquery, one row per account with users or milestones: account_id, first_seen,
    last_seen, users, reached (",a,b,") as they are now: rolled, or computed for the
    dirty accounts."""
    dirty = _dirty(workspace_id, _watermark(workspace_id)).subquery()
    a = AnalyticsAccount
    rolled = sa.select(a.account_id, a.first_seen, a.last_seen, a.users, a.reached).where(
        a.workspace_id == workspace_id, a.account_id.not_in(sa.select(dirty.c.account_id)))
    return sa.union_all(rolled, live_rows(workspace_id, sa.select(dirty.c.account_id))).subquery()


def behind(workspace_id: int) -> bool:
    """Has anything changed since the last pass? (A read: no lock when nothing did.)"""
    found = db.session.scalar(sa.select(_dirty(workspace_id, _watermark(workspace_id))
                                        .subquery().c.account_id).limit(1)) is not None
    db.session.rollback()
    return found


def refresh(workspace_id: int, cutoff: datetime | None = None) -> int:
    """Recompute the dirty accounts' rows and move the watermark, committed; how many.

    ``cutoff``: the new ``users_seen_at`` (the worker's: SETTLE before now); whatever a
    transaction writes later has a later ``last_seen``/``reached_at`` or a higher id.
    """
    cutoff = cutoff or utcnow()
    AnalyticsWatermark.lock(workspace_id)
    mark = _watermark(workspace_id)
    # The highest ids first: one inserted after these reads is above them.
    last_user = db.session.scalar(sa.select(sa.func.max(EndUser.id)).where(
        EndUser.workspace_id == workspace_id)) or 0
    last_milestone = db.session.scalar(
        sa.select(sa.func.max(AccountMilestone.id))
        .join(Account, Account.id == AccountMilestone.account_id)
        .where(Account.workspace_id == workspace_id)) or 0
    dirty = set(db.session.scalars(_dirty(workspace_id, mark)))
    _remember_members(workspace_id, mark)
    refresh_accounts(workspace_id, dirty)
    w = AnalyticsWatermark
    db.session.execute(sa.update(w).where(w.workspace_id == workspace_id).values(
        users_seen_at=cutoff, last_user_id=max(last_user, mark[0]),
        last_account_milestone_id=max(last_milestone, mark[2])))
    db.session.commit()
    return len(dirty)


def _remember_members(workspace_id: int, mark: tuple[int, datetime | None, int]) -> None:
    """The account each user of the tail is counted in from now on."""
    u, m = EndUser, AnalyticsMember
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(m).from_select(["workspace_id", "user_id", "account_id"], sa.select(
        u.workspace_id, u.id, u.account_id).where(u.workspace_id == workspace_id,
                                                  _later(mark)))
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["workspace_id", "user_id"],
        set_={"account_id": stmt.excluded.account_id}))
