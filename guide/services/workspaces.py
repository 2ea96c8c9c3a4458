"""Workspaces: finding one by its key, the settings ``workspace.yaml`` holds, its signing secret.

``apply_settings`` is the building block ``content push`` uses: it writes in
the caller's transaction and audits what it changed. ``signing_secret`` is a
whole change (it commits), for ``flask guide workspace secret``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from guide.extensions import db
from guide.models import Author, Workspace
from guide.services import audit

# Workspace columns set from workspace.yaml (never the signing secrets).
SETTINGS_FIELDS = (
    "name", "default_locale", "allowed_origins", "require_identity", "identity_token_max_age",
    "allow_unsigned_groups", "help_enabled",
    "support_url", "theme", "events_retention_days", "timezone", "survey_cap_days",
)  # fmt: skip


# Built once, with a bind parameter: it runs for every bootstrap, and building the
# select per call cost as much as running it.
_BY_KEY = db.select(Workspace).where(Workspace.key == sa.bindparam("key"))


def by_key(key: str) -> Workspace | None:
    """The workspace whose app key is ``key``, or None."""
    return db.session.scalar(_BY_KEY, {"key": key})


@dataclass(frozen=True, slots=True)
class WidgetWorkspace:
    """A read-only stand-in for ``Workspace`` on the widget's bootstrap: the columns it
    reads, under the same names (like services/published.py's snapshots). Loading the
    ORM object, every JSON column decoded, was ~15% of a bootstrap's CPU."""

    id: int
    key: str
    name: str
    default_locale: str
    allowed_origins: list[str]
    require_identity: bool
    allow_unsigned_groups: bool
    identity_token_max_age: int
    signing_secrets: list[str]
    support_url: str | None
    help_enabled: bool
    theme: dict[str, Any]
    timezone: str
    survey_cap_days: int
    production_id: int | None

    @property
    def members_workspace_id(self) -> int:
        """As Workspace's: an environment's authors are its production's."""
        return self.production_id or self.id


_COLUMNS = Workspace.__table__.c
_WIDGET_BY_KEY = sa.select(*(_COLUMNS[name] for name in WidgetWorkspace.__slots__)).where(
    _COLUMNS.key == sa.bindparam("key"))


def widget_by_key(key: str) -> WidgetWorkspace | None:
    """What the bootstrap reads of the workspace whose app key is ``key``, or None: one
    prebuilt Core statement on the session's connection (read at each request, so a
    settings change in any process is seen by the next bootstrap)."""
    row = db.session.connection().execute(_WIDGET_BY_KEY, {"key": key}).first()
    return WidgetWorkspace(*row) if row is not None else None


def some_keys(limit: int) -> list[str]:
    """Up to ``limit`` production workspace keys (``pull`` asks for 2 to know whether there is
    only one); environments are not counted."""
    return list(db.session.scalars(db.select(Workspace.key).where(
        Workspace.production_id.is_(None)).order_by(Workspace.id).limit(limit)))


def apply_settings(data: dict[str, Any], actor: Author | str,
                   **details: Any) -> tuple[Workspace, str]:
    """Create or update the workspace ``data["key"]`` from loaded ``workspace.yaml`` settings.

    Returns the workspace and ``created``, ``updated`` or ``unchanged``. A new
    workspace gets a signing secret (never from a file). Audited as
    ``workspace.create`` or ``settings.update`` (target ``workspace``, with the
    names of the fields that changed), with ``details``.
    """
    workspace = by_key(data["key"])
    status = "unchanged"
    if workspace is None:
        workspace, status = Workspace(key=data["key"]), "created"
        db.session.add(workspace)
    changed = [name for name in SETTINGS_FIELDS if getattr(workspace, name) != data[name]]
    for name in changed:
        setattr(workspace, name, data[name])
    if not workspace.signing_secrets:
        workspace.ensure_signing_secret()
        changed.append("signing_secrets")
    if changed and status == "unchanged":
        status = "updated"
    db.session.flush()
    if status == "created":
        audit.record(workspace.id, actor, "workspace.create", workspace.key, **details)
    elif status == "updated":
        audit.record(workspace.id, actor, "settings.update", "workspace", fields=changed,
                     **details)
    return workspace, status


def signing_secret(workspace: Workspace, *, rotate: bool = False) -> str:
    """The current identity-token signing secret (created if there is none); ``rotate`` adds a
    new one in front, the previous one staying valid. Commits only when something changed."""
    before = list(workspace.signing_secrets or [])
    secret = workspace.rotate_signing_secret() if rotate else workspace.ensure_signing_secret()
    if workspace.signing_secrets != before:
        db.session.commit()
    return secret
