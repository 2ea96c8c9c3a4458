"""The audit log: who changed what, when, in which workspace. Append-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guide.extensions import db
from guide.models.base import BigId, JSONType, UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_workspace_id_created_at",
                               "workspace_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("workspace.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("author.id", ondelete="SET NULL"))
    # Kept as text too, so the entry still says who after the author is deleted;
    # also names non-human actors ("cli").
    actor: Mapped[str] = mapped_column(sa.String(255))
    # e.g. guide.save, guide.publish, guide.rollback, guide.rename_step,
    # role.set, role.remove, api_key.create, api_key.revoke, settings.update
    action: Mapped[str] = mapped_column(sa.String(50))
    # What it was done to, e.g. the guide key or the member's email.
    target: Mapped[str | None] = mapped_column(sa.String(255))
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
