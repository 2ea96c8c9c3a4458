"""Reading one content file: ``file:line: message`` errors, YAML parsing, schema validation.

The pieces every content loader shares (guides, workspace, help articles,
lifecycle and scenarios), so they can import them without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError

from guide.content.yamlfile import YamlDocument, parse_yaml

MAX_FILE_BYTES = 256 * 1024
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


def display_name(path: Path) -> str:
    """Paths relative to the working directory, as the user would type them."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def flatten_messages(messages: Any,
                     path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """marshmallow's nested error dict -> (path, message) pairs."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from flatten_messages(value, path if key == "_schema" else (*path, key))
    elif isinstance(messages, list):
        for message in messages:
            yield from flatten_messages(message, path)
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
    for path, message in flatten_messages(messages):
        shown = path
        if message == UNKNOWN_FIELD and path:
            # Name the typo and report it against its parent: "steps[2]: Unknown field "evnt"."
            shown, message = path[:-1], f'Unknown field "{path[-1]}".'
        text = f"{format_path(shown)}: {message}" if shown else message
        errors.append(ContentError(file, document.line_of(path), text))
    return sorted(errors, key=lambda error: error.line or 0)


def read_text(path: Path, file: str) -> tuple[str | None, ContentError | None]:
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
    text, error = read_text(path, file)
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
