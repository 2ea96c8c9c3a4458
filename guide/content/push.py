"""Load a content directory into its workspace: ``flask guide content push``.

Files are the source of truth for what they contain: the workspace settings
and every guide in them. Guides only in the database are left alone (they may
have been written in the admin UI) and reported. Everything happens in one
transaction, and unchanged content writes nothing, so push is safe to run on
every deploy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guide.content.help_push import (
    ArticleResult,
    articles_not_in_files,
    sync_articles,
    sync_support,
)
from guide.content.loader import ContentError, load_content
from guide.content.proactive_push import ProactiveResult, sync_proactive
from guide.extensions import db
from guide.models import Guide, GuideVersion, Workspace
from guide.models.base import body_checksum
from guide.services.push import guides_changed

# Workspace columns set from workspace.yaml (never the signing secrets).
WORKSPACE_FIELDS = (
    "name", "default_locale", "allowed_origins", "require_identity", "identity_token_max_age",
    "allow_unsigned_groups", "help_enabled",
    "support_url", "theme", "events_retention_days",
)  # fmt: skip


class ContentInvalid(Exception):
    """The directory has errors; nothing was written."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__(f"{len(errors)} content error(s)")
        self.errors = errors


@dataclass
class GuideResult:
    key: str
    # created | new_version | published (an existing version) | unchanged
    status: str
    version: int
    published: bool

    def describe(self) -> str:
        state = "published" if self.published else "draft"
        if self.status == "created":
            return f"{self.key}: created, version {self.version} {state}"
        if self.status == "new_version":
            return f"{self.key}: new version {self.version} {state}"
        if self.status == "published":
            return f"{self.key}: version {self.version} published"
        return f"{self.key}: unchanged"


@dataclass
class PushReport:
    workspace: str
    # created | updated | unchanged
    workspace_status: str
    guides: list[GuideResult] = field(default_factory=list)
    not_in_files: list[str] = field(default_factory=list)
    articles: list[ArticleResult] = field(default_factory=list)
    articles_not_in_files: list[str] = field(default_factory=list)
    support_changed: bool = False
    # lifecycle.yaml and scenarios.yaml
    proactive: list[ProactiveResult] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return (
            self.workspace_status != "unchanged" or self.support_changed
            or any(g.status != "unchanged" for g in self.guides)
            or any(a.status != "unchanged" for a in self.articles)
            or any(p.changed for p in self.proactive)
        )

    @property
    def published(self) -> list[str]:
        return [g.key for g in self.guides if g.published]

    def lines(self) -> list[str]:
        """The summary the CLI prints, one line per workspace and guide."""
        out = [f"workspace {self.workspace}: {self.workspace_status}"]
        out += [g.describe() for g in self.guides]
        out += [f"{key}: not in files (left alone)" for key in self.not_in_files]
        out += [a.describe() for a in self.articles]
        out += [f"help {key}: not in files (left alone)" for key in self.articles_not_in_files]
        if self.support_changed and self.workspace_status == "unchanged":
            out.append(f"workspace {self.workspace}: support settings updated")
        out += [p.describe() for p in self.proactive]
        if not self.changed:
            out.append("unchanged")
        return out


def _sync_workspace(data: dict[str, Any]) -> tuple[Workspace, str]:
    workspace = db.session.scalar(db.select(Workspace).where(Workspace.key == data["key"]))
    status = "unchanged"
    if workspace is None:
        workspace, status = Workspace(key=data["key"]), "created"
        db.session.add(workspace)
    for name in WORKSPACE_FIELDS:
        if getattr(workspace, name) != data[name]:
            setattr(workspace, name, data[name])
            status = "updated" if status == "unchanged" else status
    if not workspace.signing_secrets:
        workspace.ensure_signing_secret()
        status = "updated" if status == "unchanged" else status
    db.session.flush()
    return workspace, status


def _latest_version(guide: Guide) -> GuideVersion | None:
    return db.session.scalar(
        db.select(GuideVersion)
        .where(GuideVersion.guide_id == guide.id)
        .order_by(GuideVersion.number.desc())
        .limit(1)
    )


def _sync_guide(
    workspace: Workspace, body: dict[str, Any], *, publish: bool, author: str | None
) -> GuideResult:
    guide = db.session.scalar(
        db.select(Guide).where(Guide.workspace_id == workspace.id, Guide.key == body["key"])
    )
    status = "unchanged"
    if guide is None:
        guide = Guide(
            workspace_id=workspace.id, key=body["key"], kind=body["kind"], priority=body["priority"]
        )
        db.session.add(guide)
        db.session.flush()
        status = "created"
    checksum = body_checksum(body)
    version = _latest_version(guide)
    if version is None or version.checksum != checksum:
        number = version.number + 1 if version else 1
        version = GuideVersion(
            guide_id=guide.id, number=number, state="draft", body=body, checksum=checksum,
            author=author,
        )  # fmt: skip
        db.session.add(version)
        db.session.flush()
        status = "new_version" if status == "unchanged" else status
    published = publish and guide.published_version_id != version.id
    if published:
        # Also covers `push --draft` followed by `push`: the draft gets published.
        guide.publish(version)
        status = "published" if status == "unchanged" else status
    return GuideResult(guide.key, status, version.number, published)


def _not_in_files(workspace: Workspace, keys: set[str]) -> list[str]:
    stored = db.session.scalars(
        db.select(Guide.key).where(Guide.workspace_id == workspace.id).order_by(Guide.key)
    )
    return [key for key in stored if key not in keys]


def push_content(directory: Path, *, publish: bool = True, author: str | None = None) -> PushReport:
    """Validate ``directory`` and load it into its workspace in one transaction.

    Guides, help articles, support settings, the lifecycle and the scenarios.

    Raises ``ContentInvalid`` (nothing written) if any file has an error.
    Connected widgets are told to reload only after the commit, and only if
    something was published.
    """
    content = load_content(Path(directory))
    if not content.ok or content.workspace is None:
        raise ContentInvalid(content.errors)
    try:
        workspace, status = _sync_workspace(content.workspace)
        report = PushReport(workspace.key, status)
        for guide_file in content.guides:
            result = _sync_guide(workspace, guide_file.body, publish=publish, author=author)
            report.guides.append(result)
        report.not_in_files = _not_in_files(workspace, {g.key for g in report.guides})
        report.support_changed = sync_support(workspace, content.workspace.get("support"))
        report.articles = sync_articles(workspace, [a.data for a in content.articles])
        report.articles_not_in_files = articles_not_in_files(
            workspace, {a.key for a in report.articles})
        report.proactive = sync_proactive(workspace, content)
        if report.changed:
            db.session.commit()
        else:
            db.session.rollback()
    except Exception:
        db.session.rollback()
        raise
    if report.published:
        guides_changed(workspace.id)
    return report
