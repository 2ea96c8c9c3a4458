"""Load a content directory into validated data, with ``file:line: message`` errors.

Used by ``flask guide content validate`` (in a customer's CI, without any
database) and by ``push``. Every problem in every file is collected, so one
run shows everything to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guide.content.files import ContentError, display_name, format_path, load_file
from guide.content.help import load_articles
from guide.content.proactive import load_proactive
from guide.content.yamlfile import YamlDocument
from guide.schemas.content import GuideFileSchema
from guide.schemas.support import WorkspaceWithSupportSchema

__all__ = ["Content", "ContentError", "GuideFile", "guide_paths", "load_content", "load_file"]

WORKSPACE_FILE = "workspace.yaml"
GUIDES_DIR = "guides"
GUIDE_PATTERNS = ("*.yaml", "*.yml")


@dataclass
class GuideFile:
    file: str
    body: dict[str, Any]
    key_line: int
    document: YamlDocument | None = None


@dataclass
class Content:
    """A validated content directory; ``workspace`` and guides are set only where valid."""

    directory: Path
    workspace: dict[str, Any] | None = None
    guides: list[GuideFile] = field(default_factory=list)
    articles: list[Any] = field(default_factory=list)  # help.ArticleFile
    # lifecycle.yaml and scenarios.yaml (optional files): validated data, or None.
    lifecycle: dict[str, Any] | None = None
    scenarios: dict[str, Any] | None = None
    # Keys of guide files with errors: references to them are not reported a second time.
    invalid_guides: set[str] = field(default_factory=set)
    # "lifecycle" / "scenarios" -> (file name, document), to point errors at lines.
    sources: dict[str, tuple[str, YamlDocument]] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def guide_paths(directory: Path) -> list[Path]:
    folder = directory / GUIDES_DIR
    if not folder.is_dir():
        return []
    paths = {path for pattern in GUIDE_PATTERNS for path in folder.glob(pattern)}
    return sorted(path for path in paths if path.is_file())


def _load_guides(directory: Path, content: Content) -> None:
    seen: dict[str, str] = {}
    schema = GuideFileSchema()
    for path in guide_paths(directory):
        body, document, errors = load_file(path, schema)
        content.errors.extend(errors)
        if body is None or document is None:
            if document is not None and isinstance(document.data, dict):
                content.invalid_guides.add(str(document.data.get("key")))
            continue
        file, line = display_name(path), document.line_of(("key",))
        if body["key"] in seen:
            message = f'key: Duplicate guide key "{body["key"]}" (also in {seen[body["key"]]}).'
            content.errors.append(ContentError(file, line, message))
            continue
        seen[body["key"]] = f"{file}:{line}"
        content.guides.append(GuideFile(file, body, line, document))
    content.errors.extend(_unknown_tours(content.guides))


def _unknown_tours(guides: list[GuideFile]) -> list[ContentError]:
    """Checklist steps that start or wait for a tour must name a tour in the directory."""
    tours = {g.body["key"] for g in guides if g.body["kind"] == "tour"}
    errors = []
    for guide in guides:
        for index, step in enumerate(guide.body["steps"]):
            for field_name in ("action", "complete_when"):
                ref = (step.get(field_name) or {}).get("tour")
                if ref is None or ref in tours:
                    continue
                path = ("steps", index, field_name, "tour")
                line = guide.document.line_of(path) if guide.document else guide.key_line
                message = f'{format_path(path)}: No tour "{ref}" in this directory.'
                errors.append(ContentError(guide.file, line, message))
    return errors


def load_content(directory: Path) -> Content:
    """Validate ``workspace.yaml``, ``guides/*.yaml``, ``help/*.md``, ``lifecycle.yaml`` and
    ``scenarios.yaml``; never raises."""
    content = Content(directory)
    if not directory.is_dir():
        message = "No such content directory."
        content.errors.append(ContentError(display_name(directory), None, message))
        return content
    workspace_path = directory / WORKSPACE_FILE
    if workspace_path.is_file():
        workspace, _, errors = load_file(workspace_path, WorkspaceWithSupportSchema())
        content.workspace = workspace
        content.errors.extend(errors)
    else:
        message = "Missing: every content directory needs a workspace.yaml (key, name, ...)."
        content.errors.append(ContentError(display_name(workspace_path), None, message))
    _load_guides(directory, content)
    load_articles(directory, content)
    load_proactive(directory, content)
    return content
