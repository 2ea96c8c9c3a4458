"""The guide editor's form <-> a guide document (the shape of a YAML file).

The form edits one locale at a time: text fields show that locale's
translation, and saving merges it into the other translations of the version
the editor started from (steps matched by their original id, so adding,
removing and reordering steps keeps every translation). Everything else is
turned into the file's shape and validated by ``GuideFileSchema``, whose
error paths map back to form field names (``steps-2-title``).
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from guide.authoring.forms_kinds import NEW_KINDS, kind_guide_fields, kind_step, kind_step_view
from guide.authoring.text_fields import int_or_raw, merged, text_in, yaml_value
from guide.content.files import flatten_messages, format_path
from guide.schemas.yaml_form import dump_flow, dump_yaml

GUIDE_TEXT = ("title", "description")
STEP_TEXT = ("title", "body")


def _rule(kind: str, value: str, simple: tuple[str, ...]) -> Any:
    if kind in simple:
        return kind
    return {kind: value.strip()} if kind else None


def _checklist_step(form: MultiDict, p: str, step: dict[str, Any], old: dict[str, Any],
                    locale: str, default: str) -> None:
    action_type = form.get(p + "action_type", "")
    if action_type in ("url", "tour"):
        label = merged((old.get("action") or {}).get("label"), locale,
                       form.get(p + "action_label", ""), default)
        step["action"] = {"label": label, action_type: form.get(p + "action_value", "").strip()}
    complete = form.get(p + "complete_type", "manual")
    if complete and complete != "manual":
        step["complete_when"] = {complete: form.get(p + "complete_value", "").strip()}
    if form.get(p + "scope") == "account":
        step["scope"] = "account"


def _tour_step(form: MultiDict, p: str, step: dict[str, Any]) -> None:
    for name in ("target", "placement", "page", "on_missing"):
        if form.get(p + name, "").strip():
            step[name] = form.get(p + name).strip()
    advance = _rule(form.get(p + "advance_type", ""), form.get(p + "advance_value", ""),
                    ("click", "input", "next"))
    if advance and advance != "next":
        step["advance_on"] = advance
    if form.get(p + "wait_ms", "").strip():
        step["wait_ms"] = int_or_raw(form.get(p + "wait_ms").strip())
    if form.get(p + "spotlight") in ("true", "false"):
        step["spotlight"] = form.get(p + "spotlight") == "true"
    buttons = [b.strip() for b in form.get(p + "buttons", "").split(",") if b.strip()]
    if buttons:
        step["buttons"] = buttons


def _steps(form: MultiDict, base: dict[str, Any], locale: str, default: str) -> list[Any]:
    old_steps = {s.get("id"): s for s in base.get("steps", []) if isinstance(s, dict)}
    count = int(form.get("step_count", "0") or 0)
    steps = []
    for index in range(min(count, 200)):
        p = f"steps-{index}-"
        if p + "id" not in form:
            continue
        old = old_steps.get(form.get(p + "orig", ""), {})
        step: dict[str, Any] = {"id": form.get(p + "id", "").strip()}
        for name in STEP_TEXT:
            value = merged(old.get(name), locale, form.get(p + name, ""), default)
            if value is not None:
                step[name] = value
        if base.get("kind") in NEW_KINDS:
            kind_step(form, p, step, old, base["kind"], locale, default)
            steps.append(step)
            continue
        if form.get(p + "help", "").strip():
            step["help"] = form.get(p + "help").strip()
        if base.get("kind") != "plan" and form.get(p + "helpful") in ("true", "false"):
            step["helpful"] = form.get(p + "helpful") == "true"
        if base.get("kind") == "tour":
            _tour_step(form, p, step)
        else:
            _checklist_step(form, p, step, old, locale, default)
        steps.append(step)
    return steps


def document_from_form(form: MultiDict, base: dict[str, Any], locale: str,
                       default: str) -> dict[str, Any]:
    """The guide document the form describes (not validated yet)."""
    doc: dict[str, Any] = {"key": base["key"], "kind": base["kind"]}
    for name in GUIDE_TEXT:
        value = merged(base.get(name), locale, form.get(name, ""), default)
        if value is not None:
            doc[name] = value
    if form.get("priority", "").strip():
        doc["priority"] = int_or_raw(form.get("priority").strip())
    if base["kind"] in NEW_KINDS:
        kind_guide_fields(form, base["kind"], doc)
    elif form.get("milestone", "").strip():
        doc["milestone"] = form.get("milestone").strip()
    if form.get("audience", "").strip():
        doc["audience"] = yaml_value(form.get("audience"))
    if base["kind"] == "tour":
        if form.get("start_url", "").strip():
            doc["start"] = {"url": form.get("start_url").strip()}
        if form.get("repeat", "").strip():
            doc["repeat"] = yaml_value(form.get("repeat").strip())
        if form.get("snooze_days", "").strip():
            doc["snooze_days"] = int_or_raw(form.get("snooze_days").strip())
        if form.get("on_missing", "").strip():
            doc["on_missing"] = form.get("on_missing").strip()
        if form.get("spotlight") in ("true", "false"):
            doc["spotlight"] = form.get("spotlight") == "true"
    doc["steps"] = _steps(form, base, locale, default)
    return doc


def field_errors(messages: Any) -> dict[str, list[str]]:
    """marshmallow messages -> {form field name: [messages]} (``steps-2-title``, ``audience``).

    What lies deeper than the field is named in the message (``label: ...``).
    """
    out: dict[str, list[str]] = {}
    for path, message in flatten_messages(messages):
        rest: tuple[Any, ...] = ()
        if not path:
            name = "_form"
        elif path[0] == "steps" and len(path) >= 2 and isinstance(path[1], int):
            name = f"steps-{path[1]}" + (f"-{path[2]}" if len(path) >= 3 else "")
            rest = path[3:]
        else:
            name, rest = str(path[0]), path[1:]
        text = f"{format_path(rest)}: {message}" if rest else message
        out.setdefault(name, []).append(text)
    return out


def step_view(step: dict[str, Any], locale: str, default: str) -> dict[str, Any]:
    """One step's form values for ``locale`` (the template's ``s``)."""
    action = step.get("action") if isinstance(step.get("action"), dict) else {}
    action_type = "tour" if "tour" in action else ("url" if "url" in action else "")
    complete = step.get("complete_when") or {"manual": True}
    complete_type = next(iter(complete), "manual") if isinstance(complete, dict) else "manual"
    advance = step.get("advance_on", "next")
    advance_type = advance if isinstance(advance, str) else next(iter(advance), "next")
    return {
        **kind_step_view(step, locale, default),
        "id": step.get("id", ""),
        "title": text_in(step.get("title"), locale, default),
        "title_fallback": text_in(step.get("title"), default, default),
        "body": text_in(step.get("body"), locale, default),
        "help": step.get("help", ""),
        "action_type": action_type,
        "action_label": text_in(action.get("label"), locale, default),
        "action_value": action.get(action_type, "") if action_type else "",
        "complete_type": complete_type,
        "complete_value": "" if complete_type == "manual" else complete.get(complete_type, ""),
        "scope": step.get("scope", "user"),
        "target": step.get("target", ""),
        "placement": step.get("placement", ""),
        "advance_type": advance_type,
        "advance_value": "" if isinstance(advance, str) else advance.get(advance_type, ""),
        "page": step.get("page", ""),
        "wait_ms": step.get("wait_ms", ""),
        "on_missing": step.get("on_missing", ""),
        "spotlight": "" if "spotlight" not in step else str(step["spotlight"]).lower(),
        "helpful": "" if "helpful" not in step else str(step["helpful"]).lower(),
        "buttons": ", ".join(step.get("buttons") or []),
    }


def yaml_text(value: Any, *, one_line: bool = False) -> str:
    """A YAML value as a text box shows it: block style in a textarea (the audience),
    flow style in a one-line input (``one_line``: a tour's repeat, a survey's frequency)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        return value
    return dump_flow(value) if one_line else dump_yaml(value)


def locales_of(doc: dict[str, Any], default: str) -> list[str]:
    """Every locale some text of the guide is written in, the default first."""
    found: set[str] = set()

    def visit(value: Any, key: str | None = None) -> None:
        if key in ("title", "description", "body", "label") and isinstance(value, dict):
            found.update(k for k in value if isinstance(k, str))
        elif isinstance(value, dict):
            for k, v in value.items():
                visit(v, k)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit(doc)
    return [default, *sorted(found - {default})]
