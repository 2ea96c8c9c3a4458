"""The editor's fields of surveys, announcements, hotspots and tooltips (docs/SURVEYS.md).

Same rules as ``forms``: text fields edit one locale and are merged into the
others (``merged``); everything else is written in the file's shape, and left out
when empty so the schema's defaults apply and files round-trip. Values typed
wrong are kept raw so the schema names the mistake on the field.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from guide.authoring.text_fields import int_or_raw, merged, text_in, yaml_value

NEW_KINDS = ("survey", "announcement", "hotspot", "tooltip")
# What "New guide" starts each kind with: the least the schema accepts.
FIRST_STEP: dict[str, dict[str, Any]] = {
    "survey": {"id": "score", "type": "nps",
               "title": "How likely are you to recommend us to a friend or colleague?"},
    "announcement": {"id": "main", "title": "Something new", "body": "Tell users what changed."},
    "hotspot": {"id": "first-step", "title": "First step", "target": "#replace-me"},
    "tooltip": {"id": "first-step", "title": "First step", "target": "#replace-me"},
}
FIRST_GUIDE: dict[str, dict[str, Any]] = {"announcement": {"style": "banner"}}
CTA_TARGETS = ("url", "guide", "help")


def kind_guide_fields(form: MultiDict, kind: str, doc: dict[str, Any]) -> None:
    """The guide-level fields of ``kind`` from the form into ``doc``."""
    def given(name: str) -> str:
        return form.get(name, "").strip()

    if kind == "survey":
        if given("display"):
            doc["display"] = given("display")
        if given("frequency"):
            doc["frequency"] = yaml_value(given("frequency"))
        if given("show_when_visit"):
            doc["show_when"] = {"visit": int_or_raw(given("show_when_visit"))}
    elif kind == "announcement":
        for name in ("style", "position", "mode", "starts_at", "ends_at"):
            if given(name):
                doc[name] = given(name)


def kind_step(form: MultiDict, p: str, step: dict[str, Any], old: dict[str, Any], kind: str,
              locale: str, default: str) -> None:
    """One step's fields of ``kind`` (prefix ``p``: ``steps-2-``) from the form into ``step``."""
    if kind == "survey":
        _question(form, p, step, old, locale, default)
    elif kind == "announcement":
        _cta(form, p, step, old, locale, default)
    else:
        for name in ("target", "placement", "page", "on_missing"):
            if form.get(p + name, "").strip():
                step[name] = form.get(p + name).strip()


def _question(form: MultiDict, p: str, step: dict[str, Any], old: dict[str, Any], locale: str,
              default: str) -> None:
    step["type"] = form.get(p + "type", "").strip()
    if form.get(p + "required") in ("true", "false"):
        step["required"] = form.get(p + "required") == "true"
    for name in ("scale", "max"):
        if form.get(p + name, "").strip():
            step[name] = int_or_raw(form.get(p + name).strip())
    old_labels = old.get("labels") if isinstance(old.get("labels"), dict) else {}
    labels = {end: value for end in ("low", "high") if (value := merged(
        old_labels.get(end), locale, form.get(p + "label_" + end, ""), default)) is not None}
    if labels:
        step["labels"] = labels
    options = _options(form.get(p + "options", ""), old.get("options"), locale, default)
    if options:
        step["options"] = options
    if form.get(p + "show_if_question", "").strip():
        bands = form.getlist(p + "show_if_band")
        step["show_if"] = {"question": form.get(p + "show_if_question").strip(),
                           "band": bands[0] if len(bands) == 1 else bands}


def _options(text: str, old: Any, locale: str, default: str) -> list[dict[str, Any]]:
    """``id: label`` lines -> options, each label merged into its old translations."""
    old_labels = {o.get("id"): o.get("label") for o in old or [] if isinstance(o, dict)}
    options = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        option_id, _, label = line.partition(":")
        option_id = option_id.strip()
        options.append({"id": option_id, "label": merged(old_labels.get(option_id), locale,
                                                         label.strip(), default)})
    return options


def _cta(form: MultiDict, p: str, step: dict[str, Any], old: dict[str, Any], locale: str,
         default: str) -> None:
    target = form.get(p + "cta_type", "")
    if target not in CTA_TARGETS:
        return
    old_cta = old.get("cta") if isinstance(old.get("cta"), dict) else {}
    value: Any = form.get(p + "cta_value", "").strip()
    if target == "help" and value in ("", "true"):
        value = True
    step["cta"] = {"label": merged(old_cta.get("label"), locale, form.get(p + "cta_label", ""),
                                   default), target: value}


def kind_step_view(step: dict[str, Any], locale: str, default: str) -> dict[str, Any]:
    """The new kinds' form values of one step for ``locale`` (merged into ``step_view``)."""
    labels = step.get("labels") if isinstance(step.get("labels"), dict) else {}
    cta = step.get("cta") if isinstance(step.get("cta"), dict) else {}
    cta_type = next((name for name in CTA_TARGETS if name in cta), "")
    show_if = step.get("show_if") if isinstance(step.get("show_if"), dict) else {}
    band = show_if.get("band") or []
    options = [o for o in step.get("options") or [] if isinstance(o, dict)]
    return {
        "type": step.get("type", ""),
        "required": "" if "required" not in step else str(step["required"]).lower(),
        "scale": step.get("scale", ""),
        "max": step.get("max", ""),
        "label_low": text_in(labels.get("low"), locale, default),
        "label_high": text_in(labels.get("high"), locale, default),
        "options": "\n".join(f"{o.get('id', '')}: {text_in(o.get('label'), locale, default)}"
                             for o in options),
        "show_if_question": show_if.get("question", ""),
        "show_if_bands": band if isinstance(band, list) else [band],
        "cta_type": cta_type,
        "cta_label": text_in(cta.get("label"), locale, default),
        "cta_value": "" if cta.get(cta_type) is True else cta.get(cta_type, ""),
    }
