"""Help articles as files: ``help/*.md``, YAML front matter then Markdown.

```
---
key: connect-data-sources
title: {en: Connect a data source, fr: Connecter une source}
tags: [integrations]
pages: ["/app/integrations/**"]
guides: [getting-started]
steps: [getting-started/connect-data]
---
Markdown body...
```

Errors point at lines of the whole file (front matter lines are offset by the
opening ``---``), like guide errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from guide.content.files import ContentError, display_name, format_path, read_text, schema_errors
from guide.content.yamlfile import parse_yaml
from guide.schemas.help import MAX_BODY, HelpFrontMatterSchema

HELP_DIR = "help"
FENCE = "---"


@dataclass
class ArticleFile:
    file: str
    # Front matter fields plus "body" (the Markdown).
    data: dict[str, Any]
    key_line: int


def help_paths(directory: Path) -> list[Path]:
    folder = directory / HELP_DIR
    return sorted(p for p in folder.glob("*.md") if p.is_file()) if folder.is_dir() else []


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """``(yaml, body, first yaml line)``, or None when the file has no front matter."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == FENCE:
            return "".join(lines[1:index]), "".join(lines[index + 1:]), 2
    return None


def load_article(path: Path, file: str, text: str) -> tuple[ArticleFile | None, list[Any]]:
    """Parse and validate one article; errors are ``ContentError`` objects."""
    parts = split_front_matter(text)
    if parts is None:
        message = 'An article starts with front matter: a "---" line, key: ..., title: ..., "---".'
        return None, [ContentError(file, 1, message)]
    front, body, offset = parts
    document = parse_yaml(front)
    document.lines = {path_: line + offset - 1 for path_, line in document.lines.items()}
    if document.problems:
        return None, [ContentError(file, p.line + offset - 1, p.message) for p in document.problems]
    if not isinstance(document.data, dict):
        return None, [ContentError(file, offset, "The front matter must be a YAML mapping.")]
    errors: list[Any] = []
    data: dict[str, Any] | None = None
    try:
        data = HelpFrontMatterSchema().load(document.data)
    except ValidationError as error:
        errors = schema_errors(error.messages_dict, document, file)
    body = body.strip()
    body_line = offset + front.count("\n") + 1
    if not body:
        errors.append(ContentError(file, body_line, "The article has no text after the front "
                                                    "matter."))  # fmt: skip
    elif len(body) > MAX_BODY:
        errors.append(ContentError(file, body_line, f"Articles are limited to {MAX_BODY} "
                                                    "characters."))  # fmt: skip
    if errors or data is None:
        return None, errors
    data["body"] = body
    return ArticleFile(file, data, document.line_of(("key",))), []


def load_articles(directory: Path, content: Any) -> None:
    """Add ``help/*.md`` to ``content`` (a loader.Content), with cross-reference checks."""
    seen: dict[str, str] = {}
    for path in help_paths(directory):
        file = display_name(path)
        text, error = read_text(path, file)
        if text is None:
            content.errors.extend([error] if error else [])
            continue
        article, errors = load_article(path, file, text)
        content.errors.extend(errors)
        if article is None:
            continue
        key = article.data["key"]
        if key in seen:
            message = f'key: Duplicate help article key "{key}" (also in {seen[key]}).'
            content.errors.append(ContentError(file, article.key_line, message))
            continue
        seen[key] = f"{file}:{article.key_line}"
        content.articles.append(article)
    content.errors.extend(_unknown_articles(content.guides, set(seen)))
    content.errors.extend(_unknown_steps(content.articles, content.guides))


def _unknown_articles(guides: list[Any], keys: set[str]) -> list[Any]:
    """A step's ``help:`` must name an article in ``help/``."""
    errors = []
    for guide in guides:
        for index, step in enumerate(guide.body["steps"]):
            ref = step.get("help")
            if ref is None or ref in keys:
                continue
            path = ("steps", index, "help")
            line = guide.document.line_of(path) if guide.document else guide.key_line
            message = f'{format_path(path)}: No help article "{ref}" in help/.'
            errors.append(ContentError(guide.file, line, message))
    return errors


def _unknown_steps(articles: list[ArticleFile], guides: list[Any]) -> list[Any]:
    """An article's ``steps`` naming a guide of this directory must name one of its steps.

    Guides not in the directory may live only on the server (admin UI): left alone.
    """
    steps = {g.body["key"]: {s["id"] for s in g.body["steps"]} for g in guides}
    errors = []
    for article in articles:
        for ref in article.data["steps"]:
            guide_key, _, step_id = ref.partition("/")
            if guide_key in steps and step_id not in steps[guide_key]:
                message = f'steps: Guide "{guide_key}" has no step "{step_id}".'
                errors.append(ContentError(article.file, article.key_line, message))
    return errors
