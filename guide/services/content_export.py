"""A workspace's content as plain documents: what ``flask guide content pull`` writes.

``snapshot`` reads everything in one read transaction and ends it, so the
file writing that follows holds no database lock. Documents have the shape
the content schemas load (``guide.schemas``), which is what makes pull then
push write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guide.extensions import db
from guide.models import Guide, Workspace
from guide.services import help_articles, scenarios, support_settings, versions, workspaces

BASE_FIELDS = ("key", "name", "default_locale", "allowed_origins", "require_identity",
               "identity_token_max_age", "allow_unsigned_groups",
               "help_enabled")  # fmt: skip


@dataclass
class Snapshot:
    key: str
    default_locale: str
    workspace: dict[str, Any]
    # (guide key, body of the version to write, or None: never published)
    guides: list[tuple[str, dict[str, Any] | None]] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)
    lifecycle: dict[str, Any] | None = None
    scenarios: dict[str, Any] | None = None


def workspace_document(workspace: Workspace) -> dict[str, Any]:
    """workspace.yaml's content, from the database (never the signing secrets)."""
    doc: dict[str, Any] = {name: getattr(workspace, name) for name in BASE_FIELDS}
    doc["allowed_origins"] = list(doc["allowed_origins"] or [])
    if workspace.theme:
        doc["theme"] = dict(workspace.theme)
    if workspace.events_retention_days is not None:
        doc["events_retention_days"] = workspace.events_retention_days
    if workspace.timezone != "UTC":
        doc["timezone"] = workspace.timezone
    if workspace.survey_cap_days != 7:
        doc["survey_cap_days"] = workspace.survey_cap_days
    support = support_settings.document(workspace)
    if support:
        doc["support"] = support
    return doc


def _guide_bodies(workspace: Workspace, drafts: bool) -> list[tuple[str, dict[str, Any] | None]]:
    guides = db.session.scalars(
        db.select(Guide).where(Guide.workspace_id == workspace.id).order_by(Guide.key))
    out = []
    for guide in guides:
        version = versions.latest_or_none(guide) if drafts else guide.published_version
        out.append((guide.key, None if version is None else version.body))
    return out


def snapshot(key: str, *, drafts: bool = False) -> Snapshot | None:
    """Everything pull writes for workspace ``key`` (None if there is no such workspace):
    published versions, or each guide's latest version with ``drafts``."""
    workspace = workspaces.by_key(key)
    if workspace is None:
        return None
    result = Snapshot(
        key=workspace.key,
        default_locale=workspace.default_locale,
        workspace=workspace_document(workspace),
        guides=_guide_bodies(workspace, drafts),
        articles=help_articles.documents(workspace),
        lifecycle=workspace.lifecycle,
        scenarios=scenarios.document(workspace),
    )
    db.session.rollback()  # a read: end it before the files are written
    return result
