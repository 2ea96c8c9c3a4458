"""Authors: the people who sign in to the admin (``/admin/``) and the support inbox
(``/support/``).

An author signs in with an email and a password (argon2 hash) and has one
role per workspace. The authoring roles are ordered: each includes what the
lower ones may do. ``support`` stands beside them: it reaches the support inbox
and nothing of authoring.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guide.extensions import db
from guide.models.base import UTCDateTime, utcnow

# viewer reads; author edits drafts; publisher publishes, rolls back and renames
# steps; admin also manages authors, roles, API keys and workspace settings.
AUTHORING_ROLES = ("viewer", "author", "publisher", "admin")
# Every role a member may have. support answers escalations in the inbox, whose
# escalations and timelines are end users' personal data: only support and admin
# see them, not viewer, author or publisher.
ROLES = (*AUTHORING_ROLES, "support")
SUPPORT_ROLES = frozenset({"support", "admin"})


def role_rank(role: str | None) -> int:
    """The authoring rank: 0 for no role (and for ``support``, which has none of
    authoring), then 1..4 in ``AUTHORING_ROLES`` order."""
    return AUTHORING_ROLES.index(role) + 1 if role in AUTHORING_ROLES else 0


def role_allows(role: str | None, level: str) -> bool:
    """Does ``role`` reach ``level``: ``support`` for the inbox, else an authoring rank?"""
    if level == "support":
        return role in SUPPORT_ROLES
    return role_rank(role) >= role_rank(level) > 0


class Author(db.Model):
    __tablename__ = "author"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: sign-in is case-insensitive.
    email: Mapped[str] = mapped_column(sa.String(255), unique=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped by logout and password change: sessions and remember-me cookies
    # carry the generation they were issued under and die when it moves on.
    session_generation: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))

    # Flask-Login's user protocol.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """Flask-Login's id for the session and remember-me cookies: ``<id>:<generation>``,
        so a cookie issued before the last logout or password change no longer loads."""
        return f"{self.id}:{self.session_generation}"

    @property
    def label(self) -> str:
        return self.name or self.email


class AuthorRole(db.Model):
    """An author's role in one workspace (no row: no access)."""

    __tablename__ = "author_role"
    __table_args__ = (sa.UniqueConstraint("author_id", "workspace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("author.id", ondelete="CASCADE"))
    workspace_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuthoringSettings(db.Model):
    """Per-workspace admin settings that never live in content files."""

    __tablename__ = "authoring_settings"

    workspace_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    # The host product page that "Preview" and "Pick element" open, e.g.
    # https://app.example.com/dashboard (or a path on this server, like /demo/dashboard).
    preview_url: Mapped[str | None] = mapped_column(sa.String(2000))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginThrottle(db.Model):
    """Failed sign-ins per key (``ip:<address>`` or ``email:<address>``), shared by
    every process through the database; drives a progressive delay, never a lockout."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(sa.String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
