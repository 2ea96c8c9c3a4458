"""Where each user stands on each guide, and the milestones they reached."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guide.extensions import db
from guide.models.base import JSONType, UTCDateTime, utcnow

PROGRESS_STATES = ("not_started", "active", "completed", "dismissed", "snoozed")


class Progress(db.Model):
    __tablename__ = "progress"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "guide_id"),
        # Sweeps: "active on this guide, no progress since".
        sa.Index("ix_progress_guide_state_updated", "guide_id", "state", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("end_user.id", ondelete="CASCADE"))
    guide_id: Mapped[int] = mapped_column(
        sa.ForeignKey("guide.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(sa.String(20), default="not_started")
    current_step: Mapped[str | None] = mapped_column(sa.String(100))
    # User-scoped steps done, in completion order (account steps: AccountStepCompletion).
    completed_steps: Mapped[list[str]] = mapped_column(JSONType, default=list)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "Later": hidden until then (tours' snooze_days).
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How often the guide was shown (became active), for tours' repeat rule.
    shown_count: Mapped[int] = mapped_column(default=0, server_default="0")
    last_shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccountStepCompletion(db.Model):
    """An account-scoped step (``scope: account``), done once for the whole company."""

    __tablename__ = "account_step_completion"
    __table_args__ = (sa.UniqueConstraint("account_id", "guide_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id", ondelete="CASCADE"))
    guide_id: Mapped[int] = mapped_column(sa.ForeignKey("guide.id", ondelete="CASCADE"))
    step_id: Mapped[str] = mapped_column(sa.String(100))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("end_user.id", ondelete="SET NULL"))
    # Who did it when no end user did: a vendor-side plan step ticked by a
    # customer-success person (their email) or a backend ("api").
    completed_by: Mapped[str | None] = mapped_column(sa.String(255))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserMilestone(db.Model):
    """A lifecycle milestone a user reached (e.g. ``activated``), once per user."""

    __tablename__ = "user_milestone"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "key"),
        # Sweeps ask "who has not reached K": an index led by the key; with reached_at,
        # the lifecycle report's join to the signups reads the index alone.
        sa.Index("ix_user_milestone_key_user", "key", "user_id", "reached_at"),
        # The signup rollup's news: milestones it has not folded yet.
        sa.Index("ix_user_milestone_news", "user_id", sqlite_where=sa.text("NOT rolled"),
                 postgresql_where=sa.text("NOT rolled")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("end_user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(100))
    # What reached it, e.g. "guide:getting-started".
    source: Mapped[str] = mapped_column(sa.String(200))
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Folded into the analytics signup rollup; written by the analytics worker only.
    rolled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
