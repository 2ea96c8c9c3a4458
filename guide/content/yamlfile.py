"""Safe YAML that remembers where things are.

PyYAML's ``safe_load`` returns values without positions, so validation errors
could only say *what* is wrong. Here the document is composed into nodes and
turned into plain values by hand, recording the line of every mapping key and
sequence item under its path (``("steps", 2, "complete_when")``). That lets
the loader point a marshmallow error at the exact line.

Building values by hand also lets us refuse what content files never need:
duplicate keys (PyYAML silently keeps the last), anchors and aliases (the
"billion laughs" expansion), and any tag beyond plain YAML (``!!python/...``).
Timestamps stay strings, so every value is JSON-serializable, and keys are
always the text as written (``no:`` is Norwegian, not ``False``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{name}" for name in ("str", "null", "bool", "int", "float", "timestamp")}


@dataclass
class YamlProblem:
    line: int
    message: str


@dataclass
class YamlDocument:
    """Plain values plus the 1-based line of every key and item, by path."""

    data: Any = None
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of its deepest ancestor that has one."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


class _Builder:
    def __init__(self, document: YamlDocument) -> None:
        self.document = document
        self.seen: set[int] = set()
        self.constructor = SafeConstructor()

    def problem(self, node: Node, message: str, line: int | None = None) -> None:
        self.document.problems.append(YamlProblem(line or _line(node), message))

    def build(self, node: Node, path: Path) -> Any:
        if id(node) in self.seen:
            # An alias is the anchored node itself: report where it is used, not defined.
            message = "Anchors and aliases (&name, *name) are not supported; repeat the content."
            self.problem(node, message, self.document.line_of(path))
            return None
        self.seen.add(id(node))
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != f"{_TAG}seq":
                self.problem(node, f'Unsupported YAML tag "{_short(node.tag)}"; use a plain list.')
            return [self.item(child, (*path, index)) for index, child in enumerate(node.value)]
        return self.scalar(node)

    def item(self, node: Node, path: Path) -> Any:
        self.document.lines[path] = _line(node)
        return self.build(node, path)

    def mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        if node.tag != f"{_TAG}map":
            self.problem(node, f'Unsupported YAML tag "{_short(node.tag)}"; use a plain mapping.')
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == f"{_TAG}merge":
                self.problem(key_node, "Keys must be plain text (no lists, mappings or << merges).")
                continue
            key = key_node.value
            if key in result:
                first = self.document.lines[(*path, key)]
                self.problem(key_node, f'Duplicate key "{key}" (first at line {first}).')
                continue
            self.document.lines[(*path, key)] = _line(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result

    def scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            self.problem(
                node, f'Unsupported YAML tag "{_short(tag)}"; only plain YAML values are allowed.'
            )
            return None
        if tag in (f"{_TAG}str", f"{_TAG}timestamp"):
            return node.value
        value = getattr(self.constructor, f"construct_yaml_{tag[len(_TAG) :]}")(node)
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(node, "Numbers must be finite (no .inf or .nan).")
            return None
        return value


def _syntax_problem(error: yaml.YAMLError) -> YamlProblem:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        detail = error.problem or "invalid YAML"
        context = f" ({error.context})" if error.context else ""
        return YamlProblem(mark.line + 1 if mark else 1, f"YAML syntax error: {detail}{context}.")
    return YamlProblem(1, f"YAML syntax error: {error}.")


def parse_yaml(text: str) -> YamlDocument:
    """Parse one YAML document; problems are reported in ``document.problems``, never raised."""
    document = YamlDocument()
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as error:
        document.problems.append(_syntax_problem(error))
        return document
    if not nodes or nodes[0] is None:
        document.problems.append(YamlProblem(1, "The file is empty."))
        return document
    if len(nodes) > 1:
        second = nodes[1]
        line = _line(second) if second is not None else 1
        document.problems.append(YamlProblem(line, "One document per file (remove the ---)."))
        return document
    document.lines[()] = _line(nodes[0])
    document.data = _Builder(document).build(nodes[0], ())
    return document
