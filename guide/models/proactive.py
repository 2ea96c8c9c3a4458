"""Proactive onboarding: account milestones, scenarios and their firings.

Lifecycle stages and milestones are defined per workspace in
``content/lifecycle.yaml`` (kept on ``Workspace.lifecycle``); scenarios in
``content/scenarios.yaml`` (one ``Scenario`` row each). A firing is recorded
once per scenario, subject and window: the unique constraint is what makes a
second sweep, or two workers sweeping at once, fire nothing new.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guide.extensions import db
from guide.models.base import BigId, JSONType, UTCDateTime, utcnow

SUBJECTS = ("user", "account")


class AccountMilestone(db.Model):
    """A milestone reached by an account: the first time any of its users reached it."""

    __tablename__ = "account_milestone"
    # reached_at: the milestones reached since the accounts' rows were refreshed
    # (guide.analytics.account_rollup).
    __table_args__ = (sa.UniqueConstraint("account_id", "key"),
                      sa.Index("ix_account_milestone_reached_at", "reached_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(100))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("end_user.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(sa.String(200))
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Scenario(db.Model):
    """A proactive rule: a trigger, conditions and actions (docs/PROACTIVE.md)."""

    __tablename__ = "scenario"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspace.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(100))
    # The validated scenario as written in scenarios.yaml.
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    position: Mapped[int] = mapped_column(default=0)
    # False once removed from scenarios.yaml (kept for its firing history).
    configured: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScenarioFiring(db.Model):
    """One scenario fired for one subject (user or account) in one window."""

    __tablename__ = "scenario_firing"
    __table_args__ = (
        sa.UniqueConstraint("scenario_id", "subject_type", "subject_id", "window"),
        sa.Index("ix_scenario_firing_subject", "subject_type", "subject_id", "fired_at"),
        # The Scenarios report: a scenario's firings in a date range, summed per arm and
        # outcome from the index alone.
        sa.Index("ix_scenario_firing_scenario_time", "scenario_id", "fired_at", "held_out",
                 "converted"),
        # The worker's settling, and the report's firings not settled yet of the days it
        # reads from analytics_scenario_day: from this small index alone (with the arm), so
        # that a planner never prefers reading every firing of those days in the one above.
        sa.Index("ix_scenario_firing_unsettled", "scenario_id", "fired_at", "held_out",
                 "converted",
                 sqlite_where=sa.text("converted IS NULL"),
                 postgresql_where=sa.text("converted IS NULL")),
        # The analytics stall counts' news: firings not folded yet.
        sa.Index("ix_scenario_firing_news", "workspace_id", sqlite_where=sa.text("NOT rolled"),
                 postgresql_where=sa.text("NOT rolled")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    scenario_id: Mapped[int] = mapped_column(sa.ForeignKey("scenario.id", ondelete="CASCADE"))
    subject_type: Mapped[str] = mapped_column(sa.String(8))
    subject_id: Mapped[int] = mapped_column()
    # What makes this firing distinct, e.g. "once", "getting-started/connect-data",
    # or the start of an event window.
    window: Mapped[str] = mapped_column(sa.String(200))
    # Why it fired (trigger details), for the support inbox and webhooks.
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # In the scenario's holdout (docs/PROACTIVE.md, "Holdout"): recorded like any firing
    # (caps and cooldowns count it) but no action ran; the control arm of the report.
    held_out: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Whether the subject reached the scenario's goal within goal_days, written by the worker
    # once that window has closed (``guide.analytics.scenarios.settle``); NULL until then,
    # and again after a push changes the scenario's goal.
    converted: Mapped[bool | None] = mapped_column(default=None)
    # Folded into the analytics stall counts; written by the analytics worker only.
    rolled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
