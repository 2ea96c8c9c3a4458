"""Write a workspace back to files: ``flask guide content pull``.

The inverse of ``push``. A file is rewritten only when what it says differs
from the server: one that loads to the same content is left byte for byte as
it is (comments, quoting and key order included), so push then pull leaves
``git diff`` empty. Files written are in the canonical form of
``guide.schemas.yaml_form``, which ``push`` reads back to exactly the stored
content, so pull then push writes nothing. Guides and articles in the files
but not on the server are left alone and reported, as push does the other way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guide.content.help import HELP_DIR, help_paths, load_article
from guide.content.loader import (
    GUIDES_DIR,
    WORKSPACE_FILE,
    _read_text,
    guide_paths,
    load_file,
)
from guide.content.proactive import LIFECYCLE_FILE, SCENARIOS_FILE
from guide.extensions import db
from guide.models import Guide, GuideVersion, HelpArticle, Scenario, Workspace
from guide.models.base import body_checksum
from guide.models.outbox import SupportSettings, WebhookEndpoint
from guide.schemas import yaml_form
from guide.schemas.content import GuideFileSchema
from guide.schemas.proactive import LifecycleFileSchema, ScenariosFileSchema
from guide.schemas.support import WorkspaceWithSupportSchema

BASE_FIELDS = ("key", "name", "default_locale", "allowed_origins", "require_identity",
               "identity_token_max_age", "allow_unsigned_groups",
               "help_enabled")  # fmt: skip


class PullError(Exception):
    """Nothing to pull (no such workspace); nothing was written."""


@dataclass
class PullReport:
    workspace: str
    # (path relative to the directory, "written" | "unchanged" | "left alone" | "skipped")
    files: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def written(self) -> list[str]:
        return [path for path, status in self.files if status == "written"]

    def lines(self) -> list[str]:
        out = [f"{path}: {status}" for path, status in self.files]
        return out + self.notes + ([] if self.written else ["unchanged"])


def workspace_document(workspace: Workspace) -> dict[str, Any]:
    """workspace.yaml's content, from the database (never the signing secrets)."""
    doc: dict[str, Any] = {name: getattr(workspace, name) for name in BASE_FIELDS}
    doc["allowed_origins"] = list(doc["allowed_origins"] or [])
    if workspace.theme:
        doc["theme"] = dict(workspace.theme)
    if workspace.events_retention_days is not None:
        doc["events_retention_days"] = workspace.events_retention_days
    support = _support_document(workspace)
    if support:
        doc["support"] = support
    return doc


def _support_document(workspace: Workspace) -> dict[str, Any]:
    support: dict[str, Any] = {}
    if workspace.support_url:
        support["url_template"] = workspace.support_url
    settings = db.session.get(SupportSettings, workspace.id)
    if settings is not None and settings.email:
        support["email"] = {k: v for k, v in settings.email.items() if v is not None}
    hooks = db.session.scalars(
        db.select(WebhookEndpoint)
        .where(WebhookEndpoint.workspace_id == workspace.id, WebhookEndpoint.configured)
        .order_by(WebhookEndpoint.id)
    )
    webhooks = [{"url": hook.url, "events": list(hook.events)} for hook in hooks]
    if webhooks:
        support["webhooks"] = webhooks
    if settings is not None and settings.allow_private_webhooks:
        support["allow_private_webhooks"] = True
    return support


def _workspace_effect(data: dict[str, Any]) -> Any:
    """What pushing a loaded workspace.yaml sets: equal effects, equal files as far as we care."""
    support = data.get("support") or {}
    hooks = sorted((h["url"], tuple(h["events"])) for h in support.get("webhooks", []))
    email = {k: v for k, v in (support.get("email") or {}).items() if v is not None}
    fields = {name: data.get(name)
              for name in (*BASE_FIELDS, "support_url", "theme", "events_retention_days")}
    return fields, email, hooks, bool(support.get("allow_private_webhooks"))


def article_document(article: HelpArticle) -> dict[str, Any]:
    return {"key": article.key, "title": article.title, "tags": list(article.tags),
            "pages": list(article.pages), "guides": list(article.guides),
            "steps": list(article.steps), "body": article.body}  # fmt: skip


def _find_workspace(directory: Path, key: str | None) -> Workspace:
    if key is None and (directory / WORKSPACE_FILE).is_file():
        data, _, _ = load_file(directory / WORKSPACE_FILE, WorkspaceWithSupportSchema())
        key = (data or {}).get("key")
    if key is None:
        keys = list(db.session.scalars(db.select(Workspace.key).limit(2)))
        if len(keys) != 1:
            raise PullError("Which workspace? Pass --workspace KEY (the directory has no "
                            "valid workspace.yaml).")  # fmt: skip
        key = keys[0]
    workspace = db.session.scalar(db.select(Workspace).where(Workspace.key == key))
    if workspace is None:
        raise PullError(f'No workspace "{key}" on this server.')
    return workspace


class _Writer:
    def __init__(self, directory: Path, report: PullReport, default_locale: str = "en") -> None:
        self.directory, self.report = directory, report
        self.default_locale = default_locale

    def put(self, path: Path, text: str | None, same: bool) -> None:
        """Write ``text`` to ``path`` unless the file already says the same."""
        name = str(path.relative_to(self.directory))
        if same:
            self.report.files.append((name, "unchanged"))
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text or "", encoding="utf-8")
        self.report.files.append((name, "written"))


def _pull_workspace(workspace: Workspace, writer: _Writer) -> None:
    path = writer.directory / WORKSPACE_FILE
    doc = workspace_document(workspace)
    same = False
    if path.is_file():
        data, _, errors = load_file(path, WorkspaceWithSupportSchema())
        wanted = WorkspaceWithSupportSchema().load(doc)
        same = data is not None and _workspace_effect(data) == _workspace_effect(wanted)
    writer.put(path, yaml_form.workspace_yaml(doc), same)


def _pull_guides(workspace: Workspace, writer: _Writer, drafts: bool) -> None:
    files: dict[str, tuple[Path, str]] = {}
    for path in guide_paths(writer.directory):
        body, _, _ = load_file(path, GuideFileSchema())
        if body is not None:
            files.setdefault(body["key"], (path, body_checksum(body)))
    guides = db.session.scalars(
        db.select(Guide).where(Guide.workspace_id == workspace.id).order_by(Guide.key))
    for guide in guides:
        version = _latest(guide) if drafts else guide.published_version
        if version is None:
            writer.report.notes.append(f"{guide.key}: never published (pull --drafts to get it)")
            continue
        path, checksum = files.pop(guide.key, (None, None))
        path = path or writer.directory / GUIDES_DIR / f"{guide.key}.yaml"
        text = yaml_form.guide_yaml(version.body, workspace.default_locale)
        writer.put(path, text, checksum == body_checksum(version.body))
    for key, (path, _) in sorted(files.items()):
        writer.report.files.append((str(path.relative_to(writer.directory)), "left alone"))
        writer.report.notes.append(f"{key}: not on the server (push adds it)")


def _latest(guide: Guide) -> GuideVersion | None:
    return db.session.scalar(db.select(GuideVersion).where(GuideVersion.guide_id == guide.id)
                             .order_by(GuideVersion.number.desc()).limit(1))


def _pull_articles(workspace: Workspace, writer: _Writer) -> None:
    files: dict[str, tuple[Path, str]] = {}
    for path in help_paths(writer.directory):
        text, _ = _read_text(path, str(path))
        article, _ = load_article(path, str(path), text) if text is not None else (None, [])
        if article is not None:
            files.setdefault(article.data["key"], (path, body_checksum(article.data)))
    articles = db.session.scalars(db.select(HelpArticle).where(
        HelpArticle.workspace_id == workspace.id).order_by(HelpArticle.key))
    for article in articles:
        data = article_document(article)
        path, checksum = files.pop(article.key, (None, None))
        path = path or writer.directory / HELP_DIR / f"{article.key}.md"
        text = yaml_form.article_text(data, workspace.default_locale)
        writer.put(path, text, checksum == body_checksum(data))
    for _key, (path, _) in sorted(files.items()):
        writer.report.files.append((str(path.relative_to(writer.directory)), "left alone"))


def _pull_document(writer: _Writer, name: str, schema: Any, stored: dict[str, Any] | None,
                   text: Any) -> None:
    """Write ``name`` from ``stored`` unless the file loads to the same; no data, no file."""
    path = writer.directory / name
    current = load_file(path, schema)[0] if path.is_file() else None
    if stored is None:
        if path.is_file():
            writer.report.files.append((name, "left alone"))
        return
    same = current is not None and body_checksum(current) == body_checksum(stored)
    writer.put(path, None if same else text(stored, writer.default_locale), same)


def scenarios_document(workspace: Workspace) -> dict[str, Any] | None:
    """scenarios.yaml's content: the settings and the configured scenarios, in file order."""
    rows = list(db.session.scalars(db.select(Scenario).where(
        Scenario.workspace_id == workspace.id, Scenario.configured.is_(True))
        .order_by(Scenario.position, Scenario.id)))
    if workspace.scenario_settings is None and not rows:
        return None
    settings = ScenariosFileSchema().load({"scenarios": []})["settings"]
    return {"settings": {**settings, **(workspace.scenario_settings or {})},
            "scenarios": [row.body for row in rows]}


def _pull_proactive(workspace: Workspace, writer: _Writer) -> None:
    _pull_document(writer, LIFECYCLE_FILE, LifecycleFileSchema(), workspace.lifecycle,
                   yaml_form.lifecycle_yaml)
    _pull_document(writer, SCENARIOS_FILE, ScenariosFileSchema(), scenarios_document(workspace),
                   yaml_form.scenarios_yaml)


def pull_content(directory: Path, workspace_key: str | None = None, *,
                 drafts: bool = False) -> PullReport:
    """Write ``workspace.yaml``, ``guides/*.yaml``, ``help/*.md``, ``lifecycle.yaml`` and
    ``scenarios.yaml`` (configured scenarios only) of a workspace.

    Published versions by default; ``drafts=True`` writes each guide's latest
    version instead. Reads the database only.
    """
    directory = Path(directory)
    workspace = _find_workspace(directory, workspace_key)
    report = PullReport(workspace.key)
    writer = _Writer(directory, report, workspace.default_locale)
    directory.mkdir(parents=True, exist_ok=True)
    _pull_workspace(workspace, writer)
    _pull_guides(workspace, writer, drafts)
    _pull_articles(workspace, writer)
    _pull_proactive(workspace, writer)
    db.session.rollback()
    return report
