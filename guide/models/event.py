"""The append-only event log: everything clients and backends report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guide.extensions import db
from guide.models.base import BigId, JSONType, UTCDateTime, utcnow

# The server's record that bootstrap offered a guide (``name``: its key), at most once
# per user, guide and local day (guide.usecases.offers): analytics' "eligible".
# Bookkeeping, not something the user did: the user's timeline and an escalation's
# recent events leave it out.
OFFER = "offer"


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        # A client's envelope id is recorded once per workspace: replays are no-ops.
        sa.UniqueConstraint("workspace_id", "client_id"),
        sa.Index("ix_event_user_time", "user_id", "created_at"),
        sa.Index("ix_event_workspace_name_time", "workspace_id", "name", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("end_user.id", ondelete="SET NULL"))
    # The client-generated UUID of the envelope (None for server-made events).
    client_id: Mapped[str | None] = mapped_column(sa.String(64))
    # Envelope type (step:complete, guide:state, event:track) or server type (milestone).
    type: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(200))
    props: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    url: Mapped[str | None] = mapped_column(sa.String(2000))
    # sha256 of the envelope, so a reused id with another payload is refused.
    fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    # What the envelope's ack said, returned again on replay.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    client_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
