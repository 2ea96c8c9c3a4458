"""Guides and their immutable versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guide.extensions import db
from guide.models.base import JSONType, UTCDateTime, utcnow

# docs/SURVEYS.md: the last four are surveys and messages (announcements, hotspots, tooltips).
GUIDE_KINDS = ("checklist", "tour", "plan", "survey", "announcement", "hotspot", "tooltip")
VERSION_STATES = ("draft", "published", "archived")


class Guide(db.Model):
    __tablename__ = "guide"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspace.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(20))
    # Lower shows first; copied from the published version for ordering in queries.
    priority: Mapped[int] = mapped_column(default=0)
    published_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("guide_version.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    published_version: Mapped[GuideVersion | None] = relationship(
        foreign_keys=[published_version_id], post_update=True
    )

    def publish(self, version: GuideVersion) -> None:
        """One published version at a time: the previous one is archived, never deleted."""
        previous = self.published_version
        if previous is not None and previous.id != version.id:
            previous.state = "archived"
        version.state = "published"
        self.published_version = version
        self.kind = version.body["kind"]
        self.priority = version.body.get("priority", 0)


class GuideVersion(db.Model):
    """One immutable body of a guide. Publishing points the guide at a version."""

    __tablename__ = "guide_version"
    __table_args__ = (sa.UniqueConstraint("guide_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guide_id: Mapped[int] = mapped_column(sa.ForeignKey("guide.id", ondelete="CASCADE"))
    number: Mapped[int]
    state: Mapped[str] = mapped_column(sa.String(20), default="draft")
    # The guide as validated content (the YAML file's data), never edited in place.
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # sha256 of the canonical JSON body: pushing unchanged content is a no-op.
    checksum: Mapped[str] = mapped_column(sa.String(64))
    author: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    guide: Mapped[Guide] = relationship(foreign_keys=[guide_id])

    @property
    def step_ids(self) -> list[str]:
        return [step["id"] for step in self.body.get("steps", [])]

    def step(self, step_id: str) -> dict[str, Any] | None:
        return next((s for s in self.body.get("steps", []) if s["id"] == step_id), None)
