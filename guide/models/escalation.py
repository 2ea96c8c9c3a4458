"""Escalations: a stuck user's message with the whole story, and nudges back to them."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guide.extensions import db
from guide.models.base import JSONType, UTCDateTime, utcnow

SEVERITIES = ("blocked", "question")
STATUSES = ("open", "acknowledged", "resolved")
# Crockford-style alphabet: no 0/O, 1/I/L, U, so a reference read over the phone survives.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6


def new_reference() -> str:
    """A short human reference like ``ESC-7K3F2Q`` (30^6 ~ 729 million values)."""
    return "ESC-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class Escalation(db.Model):
    __tablename__ = "escalation"
    __table_args__ = (sa.Index("ix_escalation_workspace_status", "workspace_id", "status",
                               "created_at"),
                      # The analytics stall counts' news: escalations not folded yet.
                      sa.Index("ix_escalation_news", "workspace_id",
                               sqlite_where=sa.text("NOT rolled"),
                               postgresql_where=sa.text("NOT rolled")))

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("end_user.id", ondelete="SET NULL"), index=True
    )
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True)
    message: Mapped[str] = mapped_column(sa.Text)
    severity: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    # "user" (asked for help) or "scenario" (a proactive task opened by a scenario).
    origin: Mapped[str] = mapped_column(sa.String(20), default="user", server_default="user")
    scenario_key: Mapped[str | None] = mapped_column(sa.String(100))
    guide_key: Mapped[str | None] = mapped_column(sa.String(100))
    step_id: Mapped[str | None] = mapped_column(sa.String(100))
    article_key: Mapped[str | None] = mapped_column(sa.String(100))
    url: Mapped[str | None] = mapped_column(sa.String(2000))
    # Assembled on the server at escalation time (docs/HELP.md lists what is in it).
    context: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Status changes with their notes: [{status, note, at}], oldest first.
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Folded into the analytics stall counts; written by the analytics worker only.
    rolled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class Nudge(db.Model):
    """A message for a user's widget, kept until a connection of theirs received it."""

    __tablename__ = "nudge"
    __table_args__ = (
        sa.Index("ix_nudge_user_pending", "user_id", "delivered_at"),
        sa.Index("ix_nudge_user_time", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("end_user.id", ondelete="CASCADE"))
    escalation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("escalation.id", ondelete="CASCADE")
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # The scenario that sent it (None: an escalation status change).
    scenario_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("scenario.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
