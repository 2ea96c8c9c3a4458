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

from guide.content.files import load_file, read_text
from guide.content.help import HELP_DIR, help_paths, load_article
from guide.content.loader import GUIDES_DIR, WORKSPACE_FILE, guide_paths
from guide.content.proactive import LIFECYCLE_FILE, SCENARIOS_FILE
from guide.errors import NotFound
from guide.models.base import body_checksum
from guide.schemas import yaml_form
from guide.schemas.content import GuideFileSchema
from guide.schemas.proactive import LifecycleFileSchema, ScenariosFileSchema
from guide.schemas.support import WorkspaceWithSupportSchema
from guide.services import environments, workspaces
from guide.services.content_export import BASE_FIELDS, Snapshot, snapshot

__all__ = ["PullError", "PullReport", "pull_content"]


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


def _workspace_effect(data: dict[str, Any]) -> Any:
    """What pushing a loaded workspace.yaml sets: equal effects, equal files as far as we care."""
    support = data.get("support") or {}
    hooks = sorted((h["url"], tuple(h["events"])) for h in support.get("webhooks", []))
    email = {k: v for k, v in (support.get("email") or {}).items() if v is not None}
    fields = {name: data.get(name)
              for name in (*BASE_FIELDS, "support_url", "theme", "events_retention_days",
                           "timezone", "survey_cap_days")}
    return fields, email, hooks, bool(support.get("allow_private_webhooks"))


def _snapshot(directory: Path, key: str | None, drafts: bool,
              environment: str | None = None) -> Snapshot:
    """The workspace named by ``key``, else by the directory's workspace.yaml, else the
    server's only workspace; or its ``environment``."""
    if key is None and (directory / WORKSPACE_FILE).is_file():
        data, _, _ = load_file(directory / WORKSPACE_FILE, WorkspaceWithSupportSchema())
        key = (data or {}).get("key")
    if key is None:
        keys = workspaces.some_keys(2)
        if len(keys) != 1:
            raise PullError("Which workspace? Pass --workspace KEY (the directory has no "
                            "valid workspace.yaml).")  # fmt: skip
        key = keys[0]
    if environment is not None:
        return _environment_snapshot(key, environment, drafts)
    found = snapshot(key, drafts=drafts)
    if found is None:
        raise PullError(f'No workspace "{key}" on this server.')
    return found


def _environment_snapshot(key: str, name: str, drafts: bool) -> Snapshot:
    """An environment's content, with its production's key, name and origins in
    workspace.yaml: the same directory pushes to either (``push --environment``)."""
    try:
        production = environments.resolve(key, None)
        found = snapshot(environments.find(production, name).key, drafts=drafts)
    except NotFound as error:
        raise PullError(error.message) from error
    assert found is not None  # just found
    found.workspace.update(key=production.key, name=production.name,
                           allowed_origins=list(production.allowed_origins or []))
    return found


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


def _pull_workspace(snap: Snapshot, writer: _Writer) -> None:
    path = writer.directory / WORKSPACE_FILE
    same = False
    if path.is_file():
        data, _, errors = load_file(path, WorkspaceWithSupportSchema())
        wanted = WorkspaceWithSupportSchema().load(snap.workspace)
        same = data is not None and _workspace_effect(data) == _workspace_effect(wanted)
    writer.put(path, yaml_form.workspace_yaml(snap.workspace), same)


def _pull_guides(snap: Snapshot, writer: _Writer) -> None:
    files: dict[str, tuple[Path, str]] = {}
    for path in guide_paths(writer.directory):
        body, _, _ = load_file(path, GuideFileSchema())
        if body is not None:
            files.setdefault(body["key"], (path, body_checksum(body)))
    for key, body in snap.guides:
        if body is None:
            writer.report.notes.append(f"{key}: never published (pull --drafts to get it)")
            continue
        path, checksum = files.pop(key, (None, None))
        path = path or writer.directory / GUIDES_DIR / f"{key}.yaml"
        text = yaml_form.guide_yaml(body, snap.default_locale)
        writer.put(path, text, checksum == body_checksum(body))
    for key, (path, _) in sorted(files.items()):
        writer.report.files.append((str(path.relative_to(writer.directory)), "left alone"))
        writer.report.notes.append(f"{key}: not on the server (push adds it)")


def _pull_articles(snap: Snapshot, writer: _Writer) -> None:
    files: dict[str, tuple[Path, str]] = {}
    for path in help_paths(writer.directory):
        text, _ = read_text(path, str(path))
        article, _ = load_article(path, str(path), text) if text is not None else (None, [])
        if article is not None:
            files.setdefault(article.data["key"], (path, body_checksum(article.data)))
    for data in snap.articles:
        path, checksum = files.pop(data["key"], (None, None))
        path = path or writer.directory / HELP_DIR / f"{data['key']}.md"
        text = yaml_form.article_text(data, snap.default_locale)
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


def pull_content(directory: Path, workspace_key: str | None = None, *,
                 drafts: bool = False, environment: str | None = None) -> PullReport:
    """Write ``workspace.yaml``, ``guides/*.yaml``, ``help/*.md``, ``lifecycle.yaml`` and
    ``scenarios.yaml`` (configured scenarios only) of a workspace.

    Published versions by default; ``drafts=True`` writes each guide's latest
    version instead. Reads the database only (``services.content_export``).
    """
    directory = Path(directory)
    snap = _snapshot(directory, workspace_key, drafts, environment)
    report = PullReport(snap.key)
    writer = _Writer(directory, report, snap.default_locale)
    directory.mkdir(parents=True, exist_ok=True)
    _pull_workspace(snap, writer)
    _pull_guides(snap, writer)
    _pull_articles(snap, writer)
    _pull_document(writer, LIFECYCLE_FILE, LifecycleFileSchema(), snap.lifecycle,
                   yaml_form.lifecycle_yaml)
    _pull_document(writer, SCENARIOS_FILE, ScenariosFileSchema(), snap.scenarios,
                   yaml_form.scenarios_yaml)
    return report
