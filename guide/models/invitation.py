"""Invitations to a workspace: how an admin adds a member (docs/AUTHORING.md, "Members").

Adding someone by email never attaches an existing account directly: it creates an
invitation whose link the person opens, signed in as that email (an existing
account), or choosing a password (a new one). Only a hash of the link's token is
stored; the link works once, until it expires or an admin revokes it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guide.extensions import db
from guide.models.base import UTCDateTime, utcnow


class AuthorInvitation(db.Model):
    __tablename__ = "author_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    # Lower-cased, like Author.email.
    email: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20))
    # SHA-256 of the token in the link (hex); the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("author.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
