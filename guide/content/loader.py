"""Load a content directory into validated data, with ``file:line: message`` errors.

Used by ``flask guide content validate`` (in a customer's CI, without any
database) and by ``push``. Every problem in every file is collected, so one
run shows everything to fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError

from guide.content.yamlfile import YamlDocument, parse_yaml
from guide.schemas.content import GuideFileSchema
from guide.schemas.support import WorkspaceWithSupportSchema

MAX_FILE_BYTES = 256 * 1024
WORKSPACE_FILE = "workspace.yaml"
GUIDES_DIR = "guides"
GUIDE_PATTERNS = ("*.yaml", "*.yml")
UNKNOWN_FIELD = "Unknown field."


@dataclass(frozen=True)
class ContentError:
    """One problem, printed the way editors and CI annotations understand."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


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


def display_name(path: Path) -> str:
    """Paths relative to the working directory, as the user would type them."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _flatten(messages: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """marshmallow's nested error dict -> (path, message) pairs."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, path if key == "_schema" else (*path, key))
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, path)
    else:
        yield path, str(messages)


def format_path(path: tuple[Any, ...]) -> str:
    """``("steps", 2, "complete_when")`` -> ``steps[2].complete_when``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def schema_errors(
    messages: dict[str, Any], document: YamlDocument, file: str
) -> list[ContentError]:
    """Point each marshmallow error at the deepest line the YAML recorded for its path."""
    errors = []
    for path, message in _flatten(messages):
        shown = path
        if message == UNKNOWN_FIELD and path:
            # Name the typo and report it against its parent: "steps[2]: Unknown field "evnt"."
            shown, message = path[:-1], f'Unknown field "{path[-1]}".'
        text = f"{format_path(shown)}: {message}" if shown else message
        errors.append(ContentError(file, document.line_of(path), text))
    return sorted(errors, key=lambda error: error.line or 0)


def _read_text(path: Path, file: str) -> tuple[str | None, ContentError | None]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            message = f"The file is {size // 1024} KB; content files are limited to 256 KB."
            return None, ContentError(file, 1, message)
        return path.read_bytes().decode("utf-8"), None
    except UnicodeDecodeError as error:
        return None, ContentError(file, 1, f"Not valid UTF-8 (byte {error.start}).")
    except OSError as error:
        return None, ContentError(file, None, f"Cannot read the file: {error.strerror}.")


def load_file(
    path: Path, schema: Schema
) -> tuple[dict[str, Any] | None, YamlDocument | None, list[ContentError]]:
    """Read, parse and validate one file; data is None when anything is wrong."""
    file = display_name(path)
    text, error = _read_text(path, file)
    if text is None:
        return None, None, [error] if error else []
    document = parse_yaml(text)
    if document.problems:
        problems = [ContentError(file, p.line, p.message) for p in document.problems]
        return None, document, problems
    if not isinstance(document.data, dict):
        return (
            None,
            document,
            [ContentError(file, 1, "The file must be a YAML mapping (key: value).")],
        )
    try:
        return schema.load(document.data), document, []
    except ValidationError as error:
        return None, document, schema_errors(error.messages_dict, document, file)


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
    from guide.content.help import load_articles
    from guide.content.proactive import load_proactive

    load_articles(directory, content)
    load_proactive(directory, content)
    return content
