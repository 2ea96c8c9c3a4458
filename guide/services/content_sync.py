"""Store a validated content set in its workspace: what ``flask guide content push`` does.

The files are the source of truth for what they contain: the workspace
settings and every guide, article, lifecycle and scenario in them. Guides
and articles only in the database are left alone (they may have been written
in the admin) and reported. ``push`` owns one transaction: it commits once at
the end, or rolls everything back; unchanged content writes nothing (not even
an audit entry), so push is safe on every deploy.

Each piece goes through the building block the admin uses too (guide
versions through ``services.versions``), so every change is audited with its
author and ``source: content push``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError

from guide.errors import Conflict
from guide.extensions import db
from guide.models import Author, Workspace
from guide.models.base import body_checksum
from guide.services import (
    audit,
    authors,
    environments,
    help_articles,
    scenarios,
    support_settings,
    versions,
    workspaces,
)
from guide.services.help_articles import ArticleResult
from guide.services.push import guides_changed
from guide.services.scenarios import ProactiveResult

SOURCE = "content push"


@dataclass
class ContentSet:
    """What a content directory says, every part already validated by its schema."""

    workspace: dict[str, Any]
    guides: list[dict[str, Any]] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)
    # None: no lifecycle.yaml / scenarios.yaml (what the server has stays).
    lifecycle: dict[str, Any] | None = None
    scenarios: dict[str, Any] | None = None
    # An environment of the workspace (``push --environment staging``); None: the workspace.
    environment: str | None = None


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
    workspace_id: int | None = None

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


class PushConflict(Conflict):
    """Someone wrote the same rows while the push ran; nothing was written."""


def actor_for(workspace_key: str, name: str) -> Author | str:
    """Who a push is recorded as: the author whose email ``name`` is, if they have a role in
    the workspace (the audit entry then links to them), else ``name`` as given."""
    workspace = workspaces.by_key(workspace_key)
    author = authors.find_author(name) if "@" in name else None
    if workspace is None or author is None or authors.role_of(author, workspace) is None:
        return name
    return author


def push(content: ContentSet, *, publish: bool, author: str) -> PushReport:
    """Store ``content`` in its workspace (created if new) in one transaction.

    ``publish=False`` adds new versions as drafts. ``author`` (a person's email,
    a CI job, an OS user) is recorded on new versions and on every audit entry.
    Raises ``PushConflict`` (nothing written) if a concurrent writer took a
    version number or a key first. Connected widgets are told to reload after
    the commit, and only if something was published.
    """
    actor = actor_for(content.workspace["key"], author)
    try:
        report = _store(content, publish, actor)
        if report.changed:
            db.session.commit()
        else:
            db.session.rollback()
    except versions.VersionConflict as error:
        db.session.rollback()
        raise PushConflict(
            f"{error.key}: version {error.number} was saved by someone else during this push; "
            "nothing was written. Push again to add the files' content after it.",
            code="version_conflict") from error
    except IntegrityError as error:
        db.session.rollback()
        raise PushConflict("Someone changed this workspace's content during this push; nothing "
                           "was written. Push again.", code="push_conflict") from error
    except versions.GuideConflict as error:
        db.session.rollback()
        raise PushConflict(f"{error.key}: added by someone else during this push; nothing was "
                           "written. Push again.", code="version_conflict") from error
    except Exception:
        db.session.rollback()
        raise
    if report.published and report.workspace_id is not None:
        guides_changed(report.workspace_id)
    return report


def _store(content: ContentSet, publish: bool, actor: Author | str) -> PushReport:
    workspace, status = workspaces.apply_settings(_settings_for(content), actor, source=SOURCE)
    report = PushReport(workspace.key, status, workspace_id=workspace.id)
    report.guides = [_guide(workspace, body, publish, actor) for body in content.guides]
    report.not_in_files = [key for key in versions.guide_keys(workspace)
                           if key not in {g.key for g in report.guides}]
    report.support_changed = support_settings.apply(
        workspace, content.workspace.get("support"), actor, source=SOURCE)
    report.articles = help_articles.apply(workspace, content.articles, actor, source=SOURCE)
    report.articles_not_in_files = help_articles.keys_not_in(
        workspace, {a.key for a in report.articles})
    report.proactive = scenarios.apply(workspace, content.lifecycle, content.scenarios, actor,
                                       source=SOURCE)
    return report


def _settings_for(content: ContentSet) -> dict[str, Any]:
    """workspace.yaml's settings for the workspace pushed to: in an environment, all but the
    key, name and allowed origins, which are the environment's own."""
    if content.environment is None:
        return content.workspace
    found = environments.resolve(content.workspace["key"], content.environment)
    return {**content.workspace, "key": found.key, "name": found.name,
            "allowed_origins": found.allowed_origins}


def _guide(workspace: Workspace, body: dict[str, Any], publish: bool,
           actor: Author | str) -> GuideResult:
    """One guide file: a new version when its content differs from the latest, published
    unless ``publish`` is False (which also publishes an earlier ``push --draft``)."""
    guide = versions.find_guide(workspace, body["key"])
    status = "unchanged"
    if guide is None:
        guide, status = versions.add_guide(workspace, body), "created"
    version = versions.latest_or_none(guide)
    if version is None or version.checksum != body_checksum(body):
        version = versions.add_version(guide, body, actor, "draft", version)
        action = "guide.create" if status == "created" else "guide.save"
        audit.record(workspace.id, actor, action, guide.key, version=version.number,
                     source=SOURCE)
        status = "new_version" if status == "unchanged" else status
    published = publish and guide.published_version_id != version.id
    if published:
        versions.publish_version(workspace, actor, guide, version, source=SOURCE)
        status = "published" if status == "unchanged" else status
    return GuideResult(guide.key, status, version.number, published)

