"""End users of a customer's product and the accounts (companies) they belong to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guide.extensions import db
from guide.models.base import JSONType, UTCDateTime, utcnow


class Account(db.Model):
    __tablename__ = "account"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "external_id"),
        # The lifecycle report: accounts per stage.
        sa.Index("ix_account_workspace_stage", "workspace_id", "lifecycle_stage"),
        # The analytics worker and the portfolio: the accounts changed since the accounts'
        # rows were refreshed (guide.analytics.account_rollup).
        sa.Index("ix_account_workspace_updated_at", "workspace_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspace.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(sa.String(255))
    traits: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Lifecycle stage (content/lifecycle.yaml) and when the account entered it.
    lifecycle_stage: Mapped[str | None] = mapped_column(sa.String(64))
    stage_entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The account's start: success plans' due dates count from here.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# ``rolled_stage`` of a user counted without a stage: a value no stage key holds.
NO_STAGE = "\x01"


class EndUser(db.Model):
    __tablename__ = "end_user"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "external_id"),
        # Sweeps: "users first seen more than N days ago"; the lifecycle report's signups
        # (with their ids: joined to their milestones from the index alone).
        sa.Index("ix_end_user_workspace_first_seen", "workspace_id", "first_seen",
                 postgresql_include=["id"]),
        # The lifecycle report: users per stage.
        sa.Index("ix_end_user_workspace_stage", "workspace_id", "lifecycle_stage"),
        # The analytics worker and the portfolio: the users seen since the accounts'
        # rows were refreshed (guide.analytics.account_rollup).
        sa.Index("ix_end_user_workspace_last_seen", "workspace_id", "last_seen"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspace.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(sa.String(255))
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account.id", ondelete="SET NULL"), index=True
    )
    traits: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    locale: Mapped[str | None] = mapped_column(sa.String(35))
    lifecycle_stage: Mapped[str | None] = mapped_column(sa.String(64))
    stage_entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Visits (docs/SURVEYS.md): bootstraps 30 minutes or more after the previous one.
    visits: Mapped[int] = mapped_column(default=1, server_default="1")

    # The first_seen the analytics signup rollup counted this user at (None: not yet);
    # written by the analytics worker only (``guide.analytics.signups``).
    rolled_first_seen: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The stage the analytics stage counts hold this user in (NO_STAGE: none; None: not
    # counted yet); written by the analytics worker, and taken out by the erasure.
    rolled_stage: Mapped[str | None] = mapped_column(sa.String(64))
    # What the onboarding rollup counted this user as (guide.models.onboarding): their
    # first_seen (None: not counted yet), account, stage and its entry then.
    onboarding_seen: Mapped[datetime | None] = mapped_column(UTCDateTime)
    onboarding_account_id: Mapped[int | None] = mapped_column()
    onboarding_stage: Mapped[str | None] = mapped_column(sa.String(64))
    onboarding_stage_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Read-only (schemas.users.UserOut shows its id): account_id is what code sets.
    # Loaded on first use, from the session's identity map when it holds the account.
    account: Mapped[Account | None] = relationship(viewonly=True)

    @property
    def room(self) -> str:
        """Socket.IO room of every connection of this user (all tabs, devices)."""
        return f"user:{self.id}"


# The analytics rollups' news (``guide.analytics.signups``, ``stages``): users not folded
# as they are now (new, a first_seen moved earlier by a signup trait, a stage moved).
# Indexes on the expressions, not partial ones: PostgreSQL estimates a column compared
# with a column at 99.5% of the rows and then scanned the table (24-37 ms at 100,000
# users, none of them news); an expression index gives it the expression's statistics.
SIGNUP_NEWS = EndUser.rolled_first_seen.is_distinct_from(EndUser.first_seen)
STAGE_NEWS = EndUser.rolled_stage.is_distinct_from(
    sa.func.coalesce(EndUser.lifecycle_stage, sa.literal_column(f"'{NO_STAGE}'")))
sa.Index("ix_end_user_signup_news", SIGNUP_NEWS, EndUser.workspace_id)
sa.Index("ix_end_user_stage_news", STAGE_NEWS, EndUser.workspace_id)
# The onboarding rollup's news: users not counted as they are now (new, first_seen,
# account, stage or its entry changed). An index per part, as SIGNUP_NEWS: a row
# comparison is expanded into their OR, which PostgreSQL reads from these (BitmapOr).
ONBOARDING_PARTS = (
    EndUser.onboarding_seen.is_distinct_from(EndUser.first_seen),
    EndUser.onboarding_account_id.is_distinct_from(EndUser.account_id),
    EndUser.onboarding_stage.is_distinct_from(EndUser.lifecycle_stage),
    EndUser.onboarding_stage_at.is_distinct_from(EndUser.stage_entered_at))
ONBOARDING_NEWS = sa.or_(*ONBOARDING_PARTS).self_group()
for _name, _part in zip(("seen", "account", "stage", "stage_at"), ONBOARDING_PARTS,
                        strict=True):
    sa.Index(f"ix_end_user_onboarding_{_name}_news", _part, EndUser.workspace_id)

def account_room(account_id: int) -> str:
    return f"account:{account_id}"


def workspace_room(workspace_id: int) -> str:
    return f"workspace:{workspace_id}"
