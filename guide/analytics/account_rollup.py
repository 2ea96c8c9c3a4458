"""The accounts' rows (``analytics_account``) kept by the worker, and their tail.

A row holds what the portfolio needs of an account: its stage, its CSM, and the two
instants at which it becomes behind and stuck (``instants``: the rules of
``portfolio.judge``), so a report counts accounts by comparing instants with its ``now``,
one narrow row per account instead of an aggregate over every user.

The hot path writes ``end_user.first_seen``, ``last_seen`` and ``account_id``, the
account's stage, traits and ``created_at``, and inserts account milestones, with no
hook. What changed since the worker's last pass is found from the rows themselves: a
user's every write of a new account or sign-up time also moves ``last_seen`` to now
(``services.users.upsert_user``), an account's every write moves ``updated_at``,
milestones are only inserted (``reached_at`` now), and a row inserted late or backdated
(an import, a test) has a higher id. So the **tail** is the users, accounts and account
milestones with an id above the watermark's or a time after ``users_seen_at`` (SETTLE
before the pass: a transaction committing after the pass read has a later time). An
account is **dirty** when it changed, a milestone of the tail is its, or a user of the
tail is in it now or was counted in it (``analytics_member``).

The worker rewrites the dirty accounts' rows and moves the watermark; a report takes
the rows of the other accounts and judges the dirty ones from their users now (a handful
between two passes), so it is exact at any moment. Erasing a user forgets their
accounts' rows and marks the accounts changed (``models.analytics_accounts``).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from guide.analytics.milestones import Lifecycle, lifecycle_of
from guide.extensions import db
from guide.models import (
    Account,
    AccountMilestone,
    AnalyticsAccount,
    AnalyticsMember,
    AnalyticsWatermark,
    EndUser,
    Workspace,
)
from guide.models.analytics_accounts import CHUNK
from guide.models.base import utcnow

# The rules' constants (``portfolio`` re-exports them; defined here, below it).
IDLE_DAYS = 14
STUCK_FACTOR = 2
CSM_TRAIT = "csm"
# Between the keys of ``reached`` (",a,b,"): a key holding one is left out, and no
# lifecycle key (a slug) can be one, so "is ,key, in it" is exact.
SEPARATOR = ","


class Mark(NamedTuple):
    """How far the rows follow (``AnalyticsWatermark``); all zero: nothing rolled."""

    last_user: int = 0
    last_account: int = 0
    last_milestone: int = 0
    seen_at: datetime | None = None
    rules: str | None = None


def rules_of(life: Lifecycle) -> str:
    """The rules the rows are judged by: rows judged by others are all dirty."""
    return json.dumps({"deadlines": life.deadlines(), "idle_days": IDLE_DAYS,
                       "stuck_factor": STUCK_FACTOR}, sort_keys=True)


def watermark(workspace_id: int) -> Mark:
    w = AnalyticsWatermark
    row = db.session.execute(sa.select(
        w.last_user_id, w.last_account_id, w.last_account_milestone_id, w.users_seen_at,
        w.account_rules).where(w.workspace_id == workspace_id)).first()
    return Mark(*row) if row else Mark()


def _later(mark: Mark, id_: Any, last: int, at: Any) -> Any:
    """SQL: is this row in the tail?"""
    return id_ > last if mark.seen_at is None else sa.or_(id_ > last, at > mark.seen_at)


def dirty(workspace_id: int, mark: Mark) -> sa.CompoundSelect:
    """SQL: the ids of the dirty accounts (module docstring) past this watermark."""
    u, m, am, a = EndUser, AnalyticsMember, AccountMilestone, Account
    users = _later(mark, u.id, mark.last_user, u.last_seen)
    return sa.union(
        sa.select(a.id).where(a.workspace_id == workspace_id,
                              _later(mark, a.id, mark.last_account, a.updated_at)),
        sa.select(u.account_id).where(u.workspace_id == workspace_id, users,
                                      u.account_id.is_not(None)),
        sa.select(m.account_id).join(u, sa.and_(u.workspace_id == m.workspace_id,
                                                u.id == m.user_id))
        .where(m.workspace_id == workspace_id, users, m.account_id.is_not(None)),
        sa.select(am.account_id).join(a, a.id == am.account_id)
        .where(a.workspace_id == workspace_id,
               _later(mark, am.id, mark.last_milestone, am.reached_at)))


def live_rows(workspace_id: int, account_ids: Any) -> sa.Select[Any]:
    """SQL: these accounts (ids, or a select of them) with their users' first and last
    times and count, and their milestones' keys (",a,b,"), as they are now."""
    u, m = EndUser, AccountMilestone
    seen = (sa.select(u.account_id.label("account_id"), sa.func.min(u.first_seen).label("first"),
                      sa.func.max(u.last_seen).label("last"), sa.func.count().label("n"))
            .where(u.workspace_id == workspace_id, u.account_id.in_(account_ids))
            .group_by(u.account_id).subquery())
    postgres = db.session.get_bind().dialect.name == "postgresql"
    keys = (sa.func.string_agg(m.key, SEPARATOR) if postgres
            else sa.func.group_concat(m.key, SEPARATOR))
    reached = (sa.select(m.account_id.label("account_id"),
                         (sa.literal(SEPARATOR) + keys + SEPARATOR).label("found"))
               .where(m.account_id.in_(account_ids), ~m.key.contains(SEPARATOR, autoescape=True))
               .group_by(m.account_id).subquery())
    return (sa.select(Account.id.label("account_id"), Account.created_at, Account.traits,
                      Account.lifecycle_stage, seen.c.first.label("first_seen"),
                      seen.c.last.label("last_seen"),
                      sa.func.coalesce(seen.c.n, 0).label("users"),
                      sa.func.coalesce(reached.c.found, "").label("reached"))
            .outerjoin(seen, seen.c.account_id == Account.id)
            .outerjoin(reached, reached.c.account_id == Account.id)
            .where(Account.workspace_id == workspace_id, Account.id.in_(account_ids)))


def instants(created_at: datetime, first: datetime | None, last: datetime | None,
             reached: set[str], deadlines: dict[str, int]
             ) -> tuple[datetime | None, datetime | None]:
    """When the account becomes behind and stuck (None: never): ``judge``'s rules, each
    "now > x" of them turned into the least such x."""
    start = min(created_at, first) if first else created_at
    last_activity = max(last, start) if last else start
    unreached = [days for key, days in deadlines.items() if key not in reached]
    if not unreached:  # done: no deadline left, never idle-stuck
        return None, None
    soonest = min(unreached)
    stuck = min(start + timedelta(days=STUCK_FACTOR * soonest),
                last_activity + timedelta(days=IDLE_DAYS))
    return start + timedelta(days=soonest), stuck


def behind(workspace_id: int) -> bool:
    """Has anything changed since the last pass? (A read: no lock when nothing did.)"""
    workspace = db.session.get(Workspace, workspace_id)
    mark = watermark(workspace_id)
    found = workspace is not None and (
        mark.rules != rules_of(lifecycle_of(workspace)) or db.session.scalar(
            sa.select(dirty(workspace_id, mark).subquery().c.id).limit(1)) is not None)
    db.session.rollback()
    return found


def refresh(workspace_id: int, cutoff: datetime | None = None) -> int:
    """Rewrite the dirty accounts' rows and move the watermark, committed; how many.

    ``cutoff``: the new ``users_seen_at`` (the worker's: SETTLE before now).
    """
    AnalyticsWatermark.lock(workspace_id)
    workspace = db.session.get(Workspace, workspace_id)
    life, mark = lifecycle_of(workspace), watermark(workspace_id)
    rules = rules_of(life)
    # The highest ids first: a row inserted after these reads is above them.
    top = [db.session.scalar(sa.select(sa.func.max(column)).where(where)) or 0
           for column, where in ((EndUser.id, EndUser.workspace_id == workspace_id),
                                 (Account.id, Account.workspace_id == workspace_id))]
    top.append(db.session.scalar(sa.select(sa.func.max(AccountMilestone.id)).join(
        Account, Account.id == AccountMilestone.account_id)
        .where(Account.workspace_id == workspace_id)) or 0)
    if mark.rules != rules:  # judged by other deadlines: every account again
        ids = set(db.session.scalars(sa.select(Account.id).where(
            Account.workspace_id == workspace_id)))
    else:
        ids = set(db.session.scalars(dirty(workspace_id, mark)))
    _remember_members(workspace_id, mark)
    _write(workspace_id, sorted(ids), life.deadlines())
    w = AnalyticsWatermark
    db.session.execute(sa.update(w).where(w.workspace_id == workspace_id).values(
        users_seen_at=cutoff or utcnow(), last_user_id=max(top[0], mark.last_user),
        last_account_id=max(top[1], mark.last_account),
        last_account_milestone_id=max(top[2], mark.last_milestone), account_rules=rules))
    db.session.commit()
    return len(ids)


def _write(workspace_id: int, ids: list[int], deadlines: dict[str, int]) -> None:
    """These accounts' rows, judged from their users and milestones now."""
    a = AnalyticsAccount
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        db.session.execute(sa.delete(a).where(a.workspace_id == workspace_id,
                                              a.account_id.in_(chunk)))
        rows = []
        for row in db.session.execute(live_rows(workspace_id, chunk)):
            csm = (row.traits or {}).get(CSM_TRAIT)
            behind_at, stuck_at = instants(row.created_at, row.first_seen, row.last_seen,
                                           set(row.reached.split(SEPARATOR)), deadlines)
            rows.append({"workspace_id": workspace_id, "account_id": row.account_id,
                         "stage": row.lifecycle_stage,
                         "csm": csm if isinstance(csm, str) else None,
                         "behind_at": behind_at, "stuck_at": stuck_at})
        if rows:
            db.session.execute(sa.insert(a), rows)


def _remember_members(workspace_id: int, mark: Mark) -> None:
    """The account each user of the tail is counted in from now on."""
    u, m = EndUser, AnalyticsMember
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(m).from_select(["workspace_id", "user_id", "account_id"], sa.select(
        u.workspace_id, u.id, u.account_id).where(
            u.workspace_id == workspace_id, _later(mark, u.id, mark.last_user, u.last_seen)))
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["workspace_id", "user_id"],
        set_={"account_id": stmt.excluded.account_id}))
