"""Fields of the survey, announcement, hotspot and tooltip kinds (docs/SURVEYS.md).

Like the tour fields, they are kept in the author's shape in the stored body (so
files round-trip); the widget's view fills in every default
(``services.messages``). ``kind_errors`` says which fields each new kind may have,
so a field of another kind is an error at its own line instead of being ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from guide.schemas.base import StrictSchema
from guide.schemas.fields import SLUG, LocalizedString, StrictInteger, check_link
from guide.schemas.tour import RepeatSchema

QUESTION_TYPES = ("nps", "csat", "rating", "single", "multiple", "text")
SCALE_TYPES = ("nps", "csat", "rating")
CHOICE_TYPES = ("single", "multiple")
BANDS = ("detractor", "passive", "promoter")
MESSAGE_KINDS = ("survey", "announcement", "hotspot", "tooltip")
DISPLAYS = ("card", "panel")
STYLES = ("banner", "modal")
MAX_OPTIONS = 20
MAX_MODAL_PAGES = 5


def check_datetime(value: Any) -> None:
    """ISO 8601 with a timezone, kept as the author wrote it."""
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationError('Must be an ISO 8601 time with a timezone, e.g. '
                              '"2026-12-01T09:00:00Z".')


class Frequency(fields.Field):
    """``once`` (default) or ``{every_days: N, max: M}``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value == "once":
            return value
        if isinstance(value, dict):
            # The same {every_days, max} as a tour's ``repeat``.
            return RepeatSchema().load(value)
        raise ValidationError("Must be once or {every_days: N, max: M}.")


class ShowWhenSchema(StrictSchema):
    visit = StrictInteger(required=True, validate=validate.Range(1, 1000))


class Band(fields.Field):
    """A score band or a list of them."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        bands = value if isinstance(value, list) else [value]
        if not bands or any(band not in BANDS for band in bands) or len(set(bands)) != len(bands):
            raise ValidationError("Must be detractor, passive, promoter or a list of them.")
        return value


class ShowIfSchema(StrictSchema):
    question = fields.String(required=True, validate=SLUG)
    band = Band(required=True)


class OptionSchema(StrictSchema):
    id = fields.String(required=True, validate=SLUG)
    label = LocalizedString(required=True, max_length=200)


class LabelsSchema(StrictSchema):
    low = LocalizedString(max_length=100)
    high = LocalizedString(max_length=100)


class CtaSchema(StrictSchema):
    """An announcement's call to action: a link, a guide to start, or help to open."""

    label = LocalizedString(required=True, max_length=100)
    url = fields.String(validate=check_link)
    guide = fields.String(validate=SLUG)
    help = fields.Raw()

    @validates_schema
    def _one_target(self, data: dict[str, Any], **_: Any) -> None:
        if sum(name in data for name in ("url", "guide", "help")) != 1:
            raise ValidationError("A cta needs exactly one of url, guide or help.")
        help_ = data.get("help", True)
        if help_ is not True and not (isinstance(help_, str) and SLUG.regex.match(help_)):
            raise ValidationError("help is true (the help panel) or an article key.", "help")


# Which step and guide fields each new kind has (the common ones: id, title, body).
STEP_FIELDS = {
    "survey": {"type", "options", "scale", "labels", "required", "max", "show_if"},
    "announcement": {"cta"},
    "hotspot": {"target", "placement", "page", "on_missing"},
    "tooltip": {"target", "placement", "page", "on_missing"},
}
GUIDE_FIELDS = {
    "survey": {"display", "frequency", "show_when"},
    "announcement": {"style", "position", "mode", "starts_at", "ends_at"},
    "hotspot": set(),
    "tooltip": set(),
}
COMMON_STEP = {"id", "title", "body"}
COMMON_GUIDE = {"key", "kind", "title", "description", "priority", "audience", "steps"}
# Fields of the new kinds that a checklist, tour or plan must not have.
NEW_STEP_FIELDS = ("type", "options", "scale", "labels", "required", "max", "show_if", "cta")
NEW_GUIDE_FIELDS = ("display", "frequency", "show_when", "style", "position", "mode",
                    "starts_at", "ends_at")


def kind_errors(original: dict[str, Any]) -> dict[str, Any]:
    """Field errors of a survey, announcement, hotspot or tooltip, keyed like the schema's."""
    kind = original.get("kind")
    errors: dict[str, Any] = {}
    if kind not in MESSAGE_KINDS:
        for name in NEW_GUIDE_FIELDS:
            if name in original:
                errors[name] = [f"Only {_owner(name, GUIDE_FIELDS)} have {name}."]
        return errors
    for name in original:
        if name not in COMMON_GUIDE and name not in GUIDE_FIELDS[kind]:
            errors[name] = [f"A {kind} has no {name}."]
    if kind == "announcement":
        for name in ("position", "mode"):
            if name in original and original.get("style") != "banner":
                errors[name] = [f"Only banners have {name}."]
    steps = original.get("steps")
    if isinstance(steps, list):
        step_errors = _steps(kind, original, steps)
        if step_errors:
            errors["steps"] = step_errors
    return errors


def _owner(name: str, table: dict[str, set[str]]) -> str:
    return " and ".join(f"{kind}s" for kind, names in table.items() if name in names)


def _steps(kind: str, guide: dict[str, Any], steps: list[Any]) -> dict[Any, Any]:
    errors: dict[Any, Any] = {}
    allowed = COMMON_STEP | STEP_FIELDS[kind]
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            continue
        found = {name: [f"A {kind} step has no {name}."] for name in step if name not in allowed}
        if kind == "survey":
            found.update(_question(step, steps[:index]))
        if kind in ("hotspot", "tooltip") and "target" not in step:
            found["target"] = [f"A {kind} points at an element: give its CSS selector."]
        if found:
            errors[index] = found
    if kind == "announcement":
        most = 1 if guide.get("style") == "banner" else MAX_MODAL_PAGES
        if len(steps) > most:
            errors["_schema"] = [f"A banner has one step; a modal 1 to {MAX_MODAL_PAGES} pages."]
    return errors


def _question(step: dict[str, Any], earlier: list[Any]) -> dict[str, list[str]]:
    """What one survey question's type needs and allows."""
    kind = step.get("type")
    errors: dict[str, list[str]] = {}
    if kind not in QUESTION_TYPES:
        # A wrong type is the field's own error; a missing one is ours.
        return {} if "type" in step else {
            "type": [f"A question needs a type: {', '.join(QUESTION_TYPES)}."]}
    if kind in CHOICE_TYPES:
        options = step.get("options")
        if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS:
            errors["options"] = [f"A {kind} question has 2 to {MAX_OPTIONS} options."]
        else:
            ids = [o.get("id") for o in options if isinstance(o, dict)]
            if len(set(ids)) != len(ids):
                errors["options"] = ["Option ids must be unique."]
    for name, owners in (("options", CHOICE_TYPES), ("max", ("multiple",)),
                         ("scale", ("rating",)), ("labels", SCALE_TYPES)):
        if name in step and kind not in owners:
            errors[name] = [f"A {kind} question has no {name}."]
    show_if = step.get("show_if")
    if isinstance(show_if, dict):
        source = next((q for q in earlier if isinstance(q, dict)
                       and q.get("id") == show_if.get("question")), None)
        if source is None or source.get("type") != "nps":
            errors["show_if"] = ["show_if names an nps question that comes before this one."]
    return errors
