"""The portfolio's rollup: one narrow row per account, as the portfolio judges it, kept by
the analytics worker (``guide.analytics.account_rollup``).

The portfolio judged every account from an aggregate over all the workspace's users
(1.3 s at a million users); these rows make it a count over one narrow row per account.
The functions live here, below the services, because the privacy erasure forgets the
rows of the accounts whose users it deletes, and services may not import the analytics.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guide.extensions import db
from guide.models.base import UTCDateTime, utcnow
from guide.models.user import Account, EndUser

CHUNK = 5000


class AnalyticsAccount(db.Model):
    """An account as the portfolio judges it, when the worker last refreshed it: its stage
    and CSM, and the instants it becomes behind and stuck (None: never) by the rules
    the watermark's ``account_rules`` names; a report compares them with its ``now``."""

    __tablename__ = "analytics_account"

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(primary_key=True)
    # Account.lifecycle_stage as it is (the report puts the first stage for none).
    stage: Mapped[str | None] = mapped_column(sa.String(64))
    # The csm trait when it is a string.
    csm: Mapped[str | None] = mapped_column(sa.Text)
    # Behind when now is past behind_at, stuck when past stuck_at.
    behind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stuck_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AnalyticsMember(db.Model):
    """The account a user was counted in by the last refresh: when the user moves, the
    account they left is refreshed too (the user's row now names the new one)."""

    __tablename__ = "analytics_member"
    # The privacy erasure deletes a user's row (USER_ROLLUPS): found without a scan.
    __table_args__ = (sa.Index("ix_analytics_member_user", "user_id"),)

    workspace_id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None]


def accounts_of_users(workspace_id: int, user_ids: list[int]) -> set[int]:
    """The accounts these users are in and were counted in."""
    found: set[int] = set()
    for start in range(0, len(user_ids), CHUNK):
        chunk = user_ids[start:start + CHUNK]
        found.update(db.session.scalars(sa.select(EndUser.account_id).where(
            EndUser.workspace_id == workspace_id, EndUser.id.in_(chunk))))
        found.update(db.session.scalars(sa.select(AnalyticsMember.account_id).where(
            AnalyticsMember.workspace_id == workspace_id, AnalyticsMember.user_id.in_(chunk))))
    found.discard(None)  # type: ignore[arg-type]
    return found


def forget_accounts(workspace_id: int, account_ids: set[int]) -> None:
    """These accounts' rows go (their users are being erased), in the caller's transaction
    (holding the rollup lock); the accounts are marked changed (``updated_at``), so that
    reports compute them from what is left until the worker writes their rows again."""
    ids = sorted(account_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        db.session.execute(sa.delete(AnalyticsAccount).where(
            AnalyticsAccount.workspace_id == workspace_id,
            AnalyticsAccount.account_id.in_(chunk)))
        db.session.execute(sa.update(Account).where(Account.id.in_(chunk))
                           .values(updated_at=utcnow())
                           .execution_options(synchronize_session=False))


def forget_account(workspace_id: int, account_id: int) -> None:
    """An erased account's row goes; its kept users are counted in no account."""
    db.session.execute(sa.delete(AnalyticsAccount).where(
        AnalyticsAccount.workspace_id == workspace_id,
        AnalyticsAccount.account_id == account_id))
    db.session.execute(sa.update(AnalyticsMember).where(
        AnalyticsMember.workspace_id == workspace_id, AnalyticsMember.account_id == account_id)
        .values(account_id=None).execution_options(synchronize_session=False))
