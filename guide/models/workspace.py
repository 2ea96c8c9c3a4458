"""A workspace: one customer product, with its keys and settings."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guide.extensions import db
from guide.models.base import JSONType, UTCDateTime, utcnow

MAX_SIGNING_SECRETS = 2


class Workspace(db.Model):
    __tablename__ = "workspace"
    # A unique index, not a table constraint: migration 0027 adds it without rebuilding the
    # table (a rebuild on SQLite would cascade-delete what refers to workspaces).
    __table_args__ = (sa.Index("uq_workspace_production_id_environment", "production_id",
                               "environment", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Public key given to Guide.init({appKey}); safe to ship in the snippet.
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    default_locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    # Origins (scheme://host[:port]) allowed to call the widget API and socket.
    allowed_origins: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # When true, bootstrap and socket connect need an identity JWT.
    require_identity: Mapped[bool] = mapped_column(default=False)
    # Let the browser put a user in an account (Guide.group) without a signed
    # token or a backend call. Off: membership comes only from a trusted source.
    allow_unsigned_groups: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    # Longest lifetime (exp - iat, in seconds) accepted for an identity token.
    identity_token_max_age: Mapped[int] = mapped_column(
        default=86400, server_default=sa.text("86400")
    )
    # Events older than this are deleted by the worker; None keeps them.
    events_retention_days: Mapped[int | None] = mapped_column()
    # IANA name (e.g. "Europe/Paris"): where the analytics reports' days begin and end.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC", server_default="UTC")
    # No user is asked two surveys within this many days (docs/SURVEYS.md); 0: no cap.
    survey_cap_days: Mapped[int] = mapped_column(default=7, server_default="7")
    # HS256 secrets for identity JWTs; newest first, at most two during rotation.
    signing_secrets: Mapped[list[str]] = mapped_column(JSONType, default=list)
    support_url: Mapped[str | None] = mapped_column(sa.String(2000))
    help_enabled: Mapped[bool] = mapped_column(default=True)
    theme: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # sha256 of the secret API keys a backend uses for the server-side REST API.
    api_key_hashes: Mapped[list[str]] = mapped_column(
        JSONType, default=list, server_default=sa.text("'[]'")
    )
    # content/lifecycle.yaml: {"milestones": [...], "stages": [...]}, or None.
    lifecycle: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # The ``settings:`` of content/scenarios.yaml (frequency caps), or None.
    scenario_settings: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # Environments (docs/ENVIRONMENTS.md): a staging environment is a workspace of its own
    # (app key, origins, secrets, users, progress, analytics) linked to its production
    # workspace, whose members it shares. A production workspace has no production_id.
    environment: Mapped[str] = mapped_column(
        sa.String(32), default="production", server_default="production"
    )
    production_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def members_workspace_id(self) -> int:
        """Whose members (author roles) this workspace uses: its production's, or its own."""
        return self.production_id or self.id

    def create_api_key(self) -> str:
        """A new secret key for the server-side REST API; only its hash is kept."""
        key = f"gsk_{self.key}.{secrets.token_urlsafe(32)}"
        self.api_key_hashes = [*(self.api_key_hashes or []), hash_api_key(key)]
        return key

    def has_api_key(self, key: str) -> bool:
        digest = hash_api_key(key)
        return any(hmac.compare_digest(digest, known) for known in self.api_key_hashes or [])

    def ensure_signing_secret(self) -> str:
        """Return the current signing secret, creating one if there is none."""
        if not self.signing_secrets:
            self.signing_secrets = [secrets.token_urlsafe(32)]
        return self.signing_secrets[0]

    def rotate_signing_secret(self) -> str:
        """Add a new secret in front; the previous one stays valid until next rotation."""
        new = secrets.token_urlsafe(32)
        self.signing_secrets = [new, *self.signing_secrets][:MAX_SIGNING_SECRETS]
        return new


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def workspace_key_of(api_key: str) -> str | None:
    """``gsk_<workspace key>.<secret>`` -> the workspace key (neither part contains ".")."""
    if not api_key.startswith("gsk_"):
        return None
    workspace_key, _, secret = api_key[4:].partition(".")
    return workspace_key if workspace_key and secret else None
