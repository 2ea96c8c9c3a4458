"""The canonical YAML form of content: what ``pull`` writes and what diffs compare.

Deterministic whatever order the database returns keys in (PostgreSQL's
JSONB reorders them): mappings follow the schemas' field order, locale maps
put the default locale first, and audience rules put ``trait`` before the
operator. Block style, Unicode kept, no line folding, multi-line text as
literal blocks (``|``), so a file reads like one an author wrote. Values the
schemas fill in by default (``priority: 0``, a checklist step's
``complete_when: manual`` and ``scope: user``, a plan step's ``owner: customer``
and ``scope: account``, a scenario's ``enabled: true``) are left out: loading the file
gives them back, so the stored body is the same either way.
"""

from __future__ import annotations

from typing import Any

import yaml

from guide.schemas import proactive
from guide.schemas.content import (
    ActionSchema,
    GuideFileSchema,
    StepSchema,
    WorkspaceFileSchema,
)
from guide.schemas.theme import ThemeSchema

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
# Values loading fills in: left out of files (step defaults by guide kind).
STEP_DEFAULTS = {
    "checklist": {"complete_when": {"manual": True}, "scope": "user"},
    "plan": {"complete_when": {"manual": True}, "scope": "account", "owner": "customer"},
}
MILESTONE_ORDER = list(proactive.MilestoneSchema._declared_fields)
WHEN_ORDER = list(proactive.MilestoneWhenSchema._declared_fields)
STAGE_ORDER = list(proactive.StageSchema._declared_fields)
SCENARIO_ORDER = list(proactive.ScenarioSchema._declared_fields)
# The trigger's kind first, then its parameters as the docs write them.
TRIGGER_ORDER = [*proactive.TRIGGERS, "days", "after_stage", "count", "within_minutes", "owner",
                 "question", "score", "choice"]
NUDGE_ORDER = list(proactive.NudgeActionSchema._declared_fields)
EMAIL_ACTION_ORDER = list(proactive.EmailActionSchema._declared_fields)
SETTINGS_DEFAULTS = {"max_nudges_per_day": 3, "sweep_seconds": 300}
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
# The same value twice (a shared condition, a default) is written twice: content files
# refuse anchors and aliases.
_Dumper.ignore_aliases = lambda self, data: True  # type: ignore[method-assign]


def dump_yaml(data: Any) -> str:
    """Block-style YAML text; ``yamlfile.parse_yaml`` reads it back to ``data``."""
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 30,
        default_flow_style=False, indent=2,
    )  # fmt: skip


def dump_flow(data: Any) -> str:
    """One line of flow-style YAML (``{every_days: 90, max: 4}``), for a one-line input:
    a browser drops the newlines of block style, and the value no longer parses. Keys in
    alphabetical order: PostgreSQL's JSONB keeps its own order (shorter keys first), so the
    stored order would differ from SQLite's."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=True, allow_unicode=True,
                     width=1 << 30, default_flow_style=True).strip()


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
    defaults = STEP_DEFAULTS.get(kind, {})
    step = {k: v for k, v in step.items() if k not in defaults or defaults[k] != v}
    if isinstance(step.get("action"), dict):
        action = ordered(step["action"], ACTION_ORDER)
        action["label"] = _localized(action.get("label"), locale)
        step["action"] = action
    for name in LOCALIZED & step.keys():
        step[name] = _localized(step[name], locale)
    _survey_parts(step, locale)
    return ordered(step, STEP_ORDER)


def _survey_parts(step: dict[str, Any], locale: str) -> None:
    """Options, labels, cta and show_if of the new kinds (docs/SURVEYS.md), in file order."""
    if isinstance(step.get("options"), list):
        step["options"] = [{**ordered(o, ["id", "label"]), "label": _localized(o["label"], locale)}
                           for o in step["options"]]
    if isinstance(step.get("labels"), dict):
        step["labels"] = {k: _localized(v, locale)
                          for k, v in ordered(step["labels"], ["low", "high"]).items()}
    if isinstance(step.get("cta"), dict):
        cta = ordered(step["cta"], ["label", "url", "guide", "help"])
        step["cta"] = {**cta, "label": _localized(cta["label"], locale)}
    if isinstance(step.get("show_if"), dict):
        step["show_if"] = ordered(step["show_if"], ["question", "band"])


def guide_document(body: dict[str, Any], default_locale: str = "en") -> dict[str, Any]:
    """A stored guide body in the shape of its file (defaults left out, keys ordered)."""
    doc = {k: v for k, v in body.items() if not (k == "priority" and v == 0)}
    for name in LOCALIZED & doc.keys():
        doc[name] = _localized(doc[name], default_locale)
    if "audience" in doc:
        doc["audience"] = _rule(doc["audience"])
    for name in ("repeat", "frequency"):
        if isinstance(doc.get(name), dict):
            doc[name] = ordered(doc[name], ["every_days", "max"])
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


def lifecycle_yaml(data: dict[str, Any], default_locale: str = "en") -> str:
    """lifecycle.yaml: milestones (left out when none), then stages (``requires: []`` left out)."""
    doc: dict[str, Any] = {}
    if data.get("milestones"):
        doc["milestones"] = [_titled(ordered(m, MILESTONE_ORDER), default_locale)
                             for m in data["milestones"]]
        for milestone in doc["milestones"]:
            when = ordered(milestone["when"], WHEN_ORDER)
            if "traits" in when:
                when["traits"] = _rule(when["traits"])
            milestone["when"] = when
    doc["stages"] = []
    for stage in data["stages"]:
        stage = {k: v for k, v in stage.items() if (k, v) != ("requires", [])}
        doc["stages"].append(_titled(ordered(stage, STAGE_ORDER), default_locale))
    return dump_yaml(doc)


def _titled(item: dict[str, Any], default_locale: str) -> dict[str, Any]:
    if "title" in item:
        item["title"] = _localized(item["title"], default_locale)
    return item


def scenarios_yaml(data: dict[str, Any], default_locale: str = "en") -> str:
    """scenarios.yaml: settings (only what differs from the defaults), then scenarios."""
    doc: dict[str, Any] = {}
    settings = {k: v for k, v in (data.get("settings") or {}).items()
                if SETTINGS_DEFAULTS.get(k) != v}
    if settings:
        doc["settings"] = ordered(settings, list(SETTINGS_DEFAULTS))
    doc["scenarios"] = [_scenario(s, default_locale) for s in data["scenarios"]]
    return dump_yaml(doc)


def _scenario(body: dict[str, Any], locale: str) -> dict[str, Any]:
    doc = {k: v for k, v in body.items()
           if (k, v) not in (("enabled", True), ("max_per_subject", 1))}
    trigger = dict(doc["trigger"])
    if "help_repeated" in trigger and trigger.get("count") == 2:
        del trigger["count"]
    if "article_unhelpful" in trigger and trigger.get("count") == proactive.UNHELPFUL_COUNT:
        del trigger["count"]
    if isinstance(trigger.get("score"), dict):
        trigger["score"] = ordered(trigger["score"], ["gt", "gte", "eq", "lt", "lte"])
    doc["trigger"] = ordered(trigger, TRIGGER_ORDER)
    if "conditions" in doc:
        doc["conditions"] = _rule(doc["conditions"])
    if "holdout" in doc:
        doc["holdout"] = proactive.percent_text(doc["holdout"])
    doc["actions"] = [_action(action, locale) for action in doc["actions"]]
    return ordered(doc, SCENARIO_ORDER)


def _action(action: dict[str, Any], locale: str) -> dict[str, Any]:
    (kind, value), = action.items()
    if kind == "nudge":
        value = {k: v for k, v in value.items() if (k, v) != ("mode", "card")}
        for name in ("title", "message"):
            if name in value:
                value[name] = _localized(value[name], locale)
        value = ordered(value, NUDGE_ORDER)
    elif kind == "webhook":
        value = {"data": ordered(value["data"], [])} if value.get("data") else {}
    elif kind == "email":
        value = ordered(value, EMAIL_ACTION_ORDER)
    elif kind == "set_trait":
        value = ordered(value, ["key", "value"])
    return {kind: value}
