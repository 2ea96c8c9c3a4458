"""The canonical YAML form of content: what ``pull`` writes and what diffs compare.

Deterministic whatever order the database returns keys in (PostgreSQL's
JSONB reorders them): mappings follow the schemas' field order, locale maps
put the default locale first, and audience rules put ``trait`` before the
operator. Block style, Unicode kept, no line folding, multi-line text as
literal blocks (``|``), so a file reads like one an author wrote. Values the
schemas fill in by default (``priority: 0``, a checklist step's
``complete_when: manual`` and ``scope: user``) are left out: loading the file
gives them back, so the stored body is the same either way.
"""

from __future__ import annotations

from typing import Any

import yaml

from guide.schemas.content import (
    ActionSchema,
    GuideFileSchema,
    StepSchema,
    ThemeSchema,
    WorkspaceFileSchema,
)

GUIDE_ORDER = list(GuideFileSchema._declared_fields)
STEP_ORDER = list(StepSchema._declared_fields)
ACTION_ORDER = list(ActionSchema._declared_fields)
WORKSPACE_ORDER = [*WorkspaceFileSchema._declared_fields, "support"]
THEME_ORDER = list(ThemeSchema._declared_fields)
SUPPORT_ORDER = ["url_template", "email", "webhooks", "allow_private_webhooks"]
EMAIL_ORDER = ["to", "from", "events"]
WEBHOOK_ORDER = ["url", "events"]
ARTICLE_ORDER = ["key", "title", "tags", "pages", "guides", "steps"]
RULE_FIRST = ("trait", "url", "all", "any", "not")
LOCALIZED = frozenset({"title", "description", "body", "label"})


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Literal blocks for multi-line text; PyYAML falls back to quoting by itself
    # when a literal block cannot hold the text exactly (e.g. trailing spaces).
    # "\r" would be normalized to "\n" inside a block, so such text stays quoted.
    style = "|" if "\n" in value and "\r" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """Block-style YAML text; ``yamlfile.parse_yaml`` reads it back to ``data``."""
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 30,
        default_flow_style=False, indent=2,
    )  # fmt: skip


def ordered(mapping: dict[str, Any], order: list[str]) -> dict[str, Any]:
    """Keys in ``order`` first (in that order), then the rest alphabetically."""
    rank = {name: index for index, name in enumerate(order)}
    keys = sorted(mapping, key=lambda k: (rank.get(k, len(rank)), k))
    return {key: mapping[key] for key in keys}


def _localized(value: Any, default_locale: str) -> Any:
    if not isinstance(value, dict):
        return value
    keys = sorted(value, key=lambda tag: (tag != default_locale, tag))
    return {tag: value[tag] for tag in keys}


def _rule(rule: Any) -> Any:
    """Audience rules with ``trait``/``url``/combinators first, recursively."""
    if isinstance(rule, list):
        return [_rule(item) for item in rule]
    if not isinstance(rule, dict):
        return rule
    out = ordered(rule, list(RULE_FIRST))
    for name in ("all", "any", "not"):
        if name in out:
            out[name] = _rule(out[name])
    return out


def _step(step: dict[str, Any], kind: str, locale: str) -> dict[str, Any]:
    step = dict(step)
    if kind == "checklist":
        if step.get("complete_when") == {"manual": True}:
            del step["complete_when"]
        if step.get("scope") == "user":
            del step["scope"]
    if isinstance(step.get("action"), dict):
        action = ordered(step["action"], ACTION_ORDER)
        action["label"] = _localized(action.get("label"), locale)
        step["action"] = action
    for name in LOCALIZED & step.keys():
        step[name] = _localized(step[name], locale)
    return ordered(step, STEP_ORDER)


def guide_document(body: dict[str, Any], default_locale: str = "en") -> dict[str, Any]:
    """A stored guide body in the shape of its file (defaults left out, keys ordered)."""
    doc = {k: v for k, v in body.items() if not (k == "priority" and v == 0)}
    for name in LOCALIZED & doc.keys():
        doc[name] = _localized(doc[name], default_locale)
    if "audience" in doc:
        doc["audience"] = _rule(doc["audience"])
    if isinstance(doc.get("repeat"), dict):
        doc["repeat"] = ordered(doc["repeat"], ["every_days", "max"])
    doc["steps"] = [_step(s, body.get("kind", ""), default_locale) for s in body["steps"]]
    return ordered(doc, GUIDE_ORDER)


def guide_yaml(body: dict[str, Any], default_locale: str = "en") -> str:
    return dump_yaml(guide_document(body, default_locale))


def article_text(data: dict[str, Any], default_locale: str = "en") -> str:
    """A help article file: front matter (empty lists left out), then the Markdown body."""
    front = {k: v for k, v in data.items() if k != "body" and v not in ([], None)}
    front["title"] = _localized(front["title"], default_locale)
    return f"---\n{dump_yaml(ordered(front, ARTICLE_ORDER))}---\n{data['body'].strip()}\n"


def workspace_yaml(data: dict[str, Any]) -> str:
    doc = dict(data)
    if isinstance(doc.get("theme"), dict):
        doc["theme"] = ordered(doc["theme"], THEME_ORDER)
    support = doc.get("support")
    if isinstance(support, dict):
        support = ordered(support, SUPPORT_ORDER)
        if isinstance(support.get("email"), dict):
            support["email"] = ordered(support["email"], EMAIL_ORDER)
        if support.get("webhooks"):
            support["webhooks"] = [ordered(h, WEBHOOK_ORDER) for h in support["webhooks"]]
        doc["support"] = support
    return dump_yaml(ordered(doc, WORKSPACE_ORDER))
