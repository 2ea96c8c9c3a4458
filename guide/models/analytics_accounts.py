"""The portfolio's rollup: one narrow row per account (its users' first and last times, how
many, the milestones it reached), kept by the analytics worker
(``guide.analytics.account_rollup``).

The portfolio judged every account from an aggregate over all the workspace's users
(1.3 s at a million users); these rows make it a read per account. They live here, below
the services, because the privacy erasure refreshes the accounts of the users it deletes
(``refresh_accounts``, under the rollup lock) and services may not import the analytics.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guide.extensions import db
from guide.models.base import UTCDateTime
from guide.models.proactive import AccountMilestone
from guide.models.user import Account, EndUser

# Between the keys of ``reached`` (",a,b,"): a key holding one is left out, and no
# lifecycle key (a slug) can be one, so "is ,key, in it" is exact.
SEPARATOR = ","
CHUNK = 5000


class AnalyticsAccount(db.Model):
    """An account as its users and milestones stood when the worker last refreshed it."""

    __tablename__ = "analytics_account"

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(primary_key=True)
    # min(first_seen), max(last_seen) and count of its users (None, None, 0: no user).
    first_seen: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime)
    users: Mapped[int] = mapped_column(sa.Integer, default=0)
    # The keys of its account milestones, ",a,b," ("": none).
    reached: Mapped[str] = mapped_column(sa.Text, default="")


class AnalyticsMember(db.Model):
    """The account a user was counted in by the last refresh: when the user moves, the
    account they left is refreshed too (the user's row now names the new one)."""

    __tablename__ = "analytics_member"
    # The privacy erasure deletes a user's row (USER_ROLLUPS): found without a scan.
    __table_args__ = (sa.Index("ix_analytics_member_user", "user_id"),)

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None]


def live_rows(workspace_id: int, account_ids: Any) -> sa.Select[Any]:
    """SQL: (account_id, first_seen, last_seen, users, reached) of these accounts (ids, or a
    select of them) computed from the users and milestones now."""
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
    return (sa.select(Account.id.label("account_id"), seen.c.first.label("first_seen"),
                      seen.c.last.label("last_seen"),
                      sa.func.coalesce(seen.c.n, 0).label("users"),
                      sa.func.coalesce(reached.c.found, "").label("reached"))
            .outerjoin(seen, seen.c.account_id == Account.id)
            .outerjoin(reached, reached.c.account_id == Account.id)
            .where(Account.workspace_id == workspace_id, Account.id.in_(account_ids)))


def refresh_accounts(workspace_id: int, account_ids: Iterable[int]) -> None:
    """Recompute these accounts' rows from their users and milestones now, in the caller's
    transaction (which holds the rollup lock); an account gone leaves no row."""
    ids = sorted(set(account_ids))
    a = AnalyticsAccount
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        db.session.execute(sa.delete(a).where(a.workspace_id == workspace_id,
                                              a.account_id.in_(chunk)))
        rows = live_rows(workspace_id, chunk).subquery()
        db.session.execute(sa.insert(a).from_select(
            ["workspace_id", "account_id", "first_seen", "last_seen", "users", "reached"],
            sa.select(sa.literal(workspace_id), rows.c.account_id, rows.c.first_seen,
                      rows.c.last_seen, rows.c.users, rows.c.reached)))


def accounts_of_users(workspace_id: int, user_ids: list[int]) -> set[int]:
    """The accounts these users are in and were counted in (refreshed when they go)."""
    found: set[int] = set()
    for start in range(0, len(user_ids), CHUNK):
        chunk = user_ids[start:start + CHUNK]
        found.update(db.session.scalars(sa.select(EndUser.account_id).where(
            EndUser.workspace_id == workspace_id, EndUser.id.in_(chunk))))
        found.update(db.session.scalars(sa.select(AnalyticsMember.account_id).where(
            AnalyticsMember.workspace_id == workspace_id, AnalyticsMember.user_id.in_(chunk))))
    found.discard(None)  # type: ignore[arg-type]
    return found


def forget_account(workspace_id: int, account_id: int) -> None:
    """An erased account's row goes; its kept users are counted in no account."""
    db.session.execute(sa.delete(AnalyticsAccount).where(
        AnalyticsAccount.workspace_id == workspace_id,
        AnalyticsAccount.account_id == account_id))
    db.session.execute(sa.update(AnalyticsMember).where(
        AnalyticsMember.workspace_id == workspace_id, AnalyticsMember.account_id == account_id)
        .values(account_id=None).execution_options(synchronize_session=False))
