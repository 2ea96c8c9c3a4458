"""A readable diff between two guide versions: their YAML files, line by line."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from guide.models import GuideVersion
from guide.schemas.yaml_form import guide_yaml

CONTEXT_LINES = 3


@dataclass(frozen=True)
class DiffLine:
    # "add" | "del" | "same" | "hunk"
    kind: str
    text: str
    old: int | None = None
    new: int | None = None


def diff_versions(old: GuideVersion, new: GuideVersion, default_locale: str = "en",
                  context: int = CONTEXT_LINES) -> list[DiffLine]:
    """Lines of a unified diff of ``old`` -> ``new`` in their YAML form (empty: identical)."""
    return diff_bodies(old.body, new.body, default_locale, context)


def diff_bodies(old: dict[str, Any] | None, new: dict[str, Any] | None,
                default_locale: str = "en", context: int = CONTEXT_LINES) -> list[DiffLine]:
    """The same for two guide bodies; ``None`` is no guide (every line added or removed)."""
    a = guide_yaml(old, default_locale).splitlines() if old is not None else []
    b = guide_yaml(new, default_locale).splitlines() if new is not None else []
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        lines.append(DiffLine("hunk", f"@@ -{first[1] + 1},{last[2] - first[1]} "
                                      f"+{first[3] + 1},{last[4] - first[3]} @@"))  # fmt: skip
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", a[i], i + 1, j1 + i - i1 + 1) for i in range(i1, i2)]
                continue
            lines += [DiffLine("del", a[i], i + 1, None) for i in range(i1, i2)]
            lines += [DiffLine("add", b[j], None, j + 1) for j in range(j1, j2)]
    return lines


def unified_text(lines: list[DiffLine]) -> str:
    """The diff as plain text (``-``/``+``/`` `` prefixes), for tests and logs."""
    prefix = {"add": "+", "del": "-", "same": " ", "hunk": ""}
    return "\n".join(prefix[line.kind] + line.text for line in lines)
