"""Content files (docs/CONTENT.md): workspace.yaml and guides/*.yaml.

The same schemas validate files (``flask guide content validate``) and the
content API, so a guide that passes CI is a guide the server accepts. Loading
yields a plain JSON-serializable dict, stored as ``GuideVersion.body``:
localized strings keep the author's shape and ``complete_when`` is normalized
to exactly one of ``{"manual": true}``, ``{"event": ...}``, ``{"url": ...}``.
Unknown keys are errors, so a typo is caught instead of silently ignored.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from guide.schemas import kinds, tour
from guide.schemas.base import StrictSchema
from guide.schemas.fields import (
    SLUG,
    WORKSPACE_KEY,
    AudienceRule,
    LocalizedString,
    Origin,
    StrictBoolean,
    StrictInteger,
    check_link,
    check_locale,
    check_timezone,
    check_url_pattern,
)
from guide.schemas.theme import ThemeSchema
from guide.schemas.widget import EVENT_NAME

MAX_STEPS = 50
GUIDE_KINDS = ("checklist", "tour", "plan", *kinds.MESSAGE_KINDS)
# A plan step is done by the customer's users or by the vendor's team.
PLAN_OWNERS = ("customer", "vendor")
PLAN_STEP_FIELDS = ("owner", "assignee", "due_days")


class CompleteWhenSchema(StrictSchema):
    event = fields.String(validate=EVENT_NAME)
    url = fields.String(validate=check_url_pattern)
    tour = fields.String(validate=SLUG)
    manual = StrictBoolean()

    @validates_schema
    def _exactly_one(self, data: dict[str, Any], **_: Any) -> None:
        if len(data) != 1:
            raise ValidationError("Needs exactly one of: event, url, tour, manual.")
        if data.get("manual") is False:
            raise ValidationError("manual: false is not a rule; use event, url or tour.", "manual")


class CompleteWhen(fields.Field):
    """``manual``, ``{manual: true}``, ``{event: NAME}``, ``{url: PATTERN}`` or ``{tour: KEY}``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value == "manual":
            return {"manual": True}
        if not isinstance(value, dict):
            raise ValidationError('Must be "manual", {event: NAME}, {url: PATTERN}, '
                                  "{tour: KEY} or {manual: true}.")  # fmt: skip
        return CompleteWhenSchema().load(value)


class ActionSchema(StrictSchema):
    """A step's button: a link (``url``) or the start of a tour (``tour``)."""

    label = LocalizedString(required=True, max_length=100)
    url = fields.String(validate=check_link)
    tour = fields.String(validate=SLUG)

    @validates_schema
    def _url_or_tour(self, data: dict[str, Any], **_: Any) -> None:
        if ("url" in data) == ("tour" in data):
            raise ValidationError("An action needs exactly one of url or tour.")


class StepSchema(StrictSchema):
    id = fields.String(required=True, validate=SLUG)
    title = LocalizedString(required=True)
    body = LocalizedString(max_length=20_000)
    help = fields.String(validate=SLUG)
    # Checklist steps.
    action = fields.Nested(ActionSchema)
    complete_when = CompleteWhen()
    scope = fields.String(validate=validate.OneOf(["user", "account"]))
    # Tour steps (docs/TOURS.md).
    target = tour.Selector()
    placement = tour.Placement()
    advance_on = tour.AdvanceOn()
    page = fields.String(validate=check_url_pattern)
    wait_ms = StrictInteger(validate=validate.Range(0, tour.MAX_WAIT_MS))
    on_missing = tour.OnMissing()
    spotlight = StrictBoolean()
    buttons = tour.Buttons()
    # Success-plan steps (kind: plan).
    owner = fields.String(validate=validate.OneOf(PLAN_OWNERS))
    assignee = fields.String(validate=validate.Length(1, 100))
    due_days = StrictInteger(validate=validate.Range(0, 3650))
    # "Was this helpful?" on a checklist or tour step (docs/SURVEYS.md).
    helpful = StrictBoolean()
    # Survey questions (kind: survey, docs/SURVEYS.md).
    type = fields.String(validate=validate.OneOf(kinds.QUESTION_TYPES))
    options = fields.List(fields.Nested(kinds.OptionSchema),
                          validate=validate.Length(max=kinds.MAX_OPTIONS))
    scale = StrictInteger(validate=validate.Range(3, 10))
    labels = fields.Nested(kinds.LabelsSchema)
    required = StrictBoolean()
    max = StrictInteger(validate=validate.Range(1, kinds.MAX_OPTIONS))
    show_if = fields.Nested(kinds.ShowIfSchema)
    # An announcement's call to action.
    cta = fields.Nested(kinds.CtaSchema)


class GuideFileSchema(StrictSchema):
    """One guide file; ``load`` returns the body stored in ``GuideVersion.body``."""

    key = fields.String(required=True, validate=SLUG)
    kind = fields.String(required=True, validate=validate.OneOf(GUIDE_KINDS))
    title = LocalizedString(required=True)
    description = LocalizedString(max_length=1000)
    priority = StrictInteger(load_default=0, validate=validate.Range(-10_000, 10_000))
    milestone = fields.String(validate=SLUG)
    audience = AudienceRule()
    # Tours only (docs/TOURS.md).
    start = fields.Nested(tour.StartSchema)
    repeat = tour.Repeat()
    snooze_days = StrictInteger(validate=validate.Range(0, 365))
    on_missing = tour.OnMissing()
    spotlight = StrictBoolean()
    # Surveys and announcements (docs/SURVEYS.md).
    display = fields.String(validate=validate.OneOf(kinds.DISPLAYS))
    frequency = kinds.Frequency()
    show_when = fields.Nested(kinds.ShowWhenSchema)
    style = fields.String(validate=validate.OneOf(kinds.STYLES))
    position = fields.String(validate=validate.OneOf(["top", "bottom"]))
    mode = fields.String(validate=validate.OneOf(["overlay", "inline"]))
    starts_at = fields.String(validate=kinds.check_datetime)
    ends_at = fields.String(validate=kinds.check_datetime)
    steps = fields.List(
        fields.Nested(StepSchema),
        required=True,
        validate=validate.Length(1, MAX_STEPS, error=f"A guide has 1 to {MAX_STEPS} steps."),
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _fields_fit_kind(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        """Step ids are unique (progress refers to them) and each field fits the guide's kind.

        Reads the original data so these errors show up alongside field errors
        with the author's own step indexes (a failed step is absent from ``data``).
        """
        if not isinstance(original, dict):
            return
        kind = original.get("kind")
        if kind in kinds.MESSAGE_KINDS:
            errors = kinds.kind_errors(original)
            step_errors = _step_errors(original.get("steps"), kind)
            for index, found in step_errors.items():
                errors.setdefault("steps", {}).setdefault(index, {}).update(found)
            if kind == "announcement" and "style" not in original:
                errors.setdefault("style", []).append("An announcement is a banner or a modal.")
            if errors:
                raise ValidationError(errors)
            return
        errors = kinds.kind_errors(original)
        if kind in ("checklist", "plan"):
            for name in tour.TOUR_GUIDE_FIELDS:
                if name in original:
                    errors[name] = [f"Only tours have {name}; remove it or use kind: tour."]
        step_errors = _step_errors(original.get("steps"), kind)
        if step_errors:
            errors["steps"] = step_errors
        if errors:
            raise ValidationError(errors)

    @post_load
    def _checklist_defaults(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data["kind"] in ("checklist", "plan"):
            for step in data["steps"]:
                step.setdefault("complete_when", {"manual": True})
                step.setdefault("scope", "account" if data["kind"] == "plan" else "user")
        if data["kind"] == "plan":
            for step in data["steps"]:
                step.setdefault("owner", "customer")
        return data


def _step_errors(raw: Any, kind: Any) -> dict[int, dict[str, list[str]]]:
    if not isinstance(raw, list):
        return {}
    errors: dict[int, dict[str, list[str]]] = {}
    first_index: dict[str, int] = {}
    tour_only = "Only tour steps have {}; remove it or use kind: tour."
    plan_only = "Only plan steps have {}; remove it or use kind: plan."
    misplaced = {
        "checklist": (*tour.TOUR_STEP_FIELDS, *PLAN_STEP_FIELDS, *kinds.NEW_STEP_FIELDS),
        "plan": (*tour.TOUR_STEP_FIELDS, *kinds.NEW_STEP_FIELDS, "helpful"),
        "tour": (*tour.CHECKLIST_STEP_FIELDS, *PLAN_STEP_FIELDS, *kinds.NEW_STEP_FIELDS),
    }.get(kind, ())
    for index, step in enumerate(raw):
        if not isinstance(step, dict):
            continue
        step_id = step.get("id")
        if isinstance(step_id, str) and step_id in first_index:
            message = f'Duplicate step id "{step_id}" (also steps[{first_index[step_id]}]).'
            errors.setdefault(index, {})["id"] = [message]
        if isinstance(step_id, str):
            first_index.setdefault(step_id, index)
        for name in misplaced:
            if name in step:
                message = (plan_only if name in PLAN_STEP_FIELDS else tour_only
                           if name in tour.TOUR_STEP_FIELDS else
                           _NEW_FIELD_OWNER.get(name, "Only survey questions have {}.")
                           if name in (*kinds.NEW_STEP_FIELDS, "helpful") else
                           "Only checklist and plan steps have {}; a tour step is done when "
                           "the user moves past it.")
                errors.setdefault(index, {})[name] = [message.format(name)]
        if kind == "plan":
            for name, message in _plan_step_errors(step).items():
                errors.setdefault(index, {})[name] = [message]
        if step.get("advance_on") in ("click", "input") and "target" not in step:
            message = f"advance_on: {step['advance_on']} needs a target to watch."
            errors.setdefault(index, {})["advance_on"] = [message]
    return errors


_NEW_FIELD_OWNER = {"cta": "Only announcement steps have {}.",
                    "helpful": "Only checklist and tour steps have {}."}


def _plan_step_errors(step: dict[str, Any]) -> dict[str, str]:
    errors = {}
    if step.get("scope") == "user":
        errors["scope"] = "A plan is shared by the whole account: its steps have scope account."
    rule = step.get("complete_when")
    if step.get("owner") == "vendor" and isinstance(rule, dict) and "url" in rule:
        # A URL rule is checked in the customer's browser, never in your team's.
        errors["complete_when"] = ("A vendor step is done by your team, not by a page the "
                                   "customer visits: use manual (ticked in the admin or the "
                                   "API) or {event: NAME} sent from your backend.")
    return errors


MAX_TOKEN_AGE = 30 * 86400


class WorkspaceFileSchema(StrictSchema):
    """workspace.yaml. Signing secrets never live in files: the server generates them."""

    key = fields.String(required=True, validate=WORKSPACE_KEY)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    default_locale = fields.String(load_default="en", validate=check_locale)
    allowed_origins = fields.List(Origin(), load_default=list, validate=validate.Length(max=50))
    require_identity = StrictBoolean(load_default=False)
    # Let the browser's Guide.group put a user in any account (docs/CONTENT.md warns).
    allow_unsigned_groups = StrictBoolean(load_default=False)
    # Longest lifetime (exp - iat, seconds) of an identity token: 1 minute to 30 days.
    identity_token_max_age = StrictInteger(load_default=86400,
                                           validate=validate.Range(60, MAX_TOKEN_AGE))
    help_enabled = StrictBoolean(load_default=True)
    # Events older than this many days are deleted by the worker (docs/PRIVACY.md);
    # absent or null: kept forever.
    events_retention_days = StrictInteger(load_default=None, allow_none=True,
                                          validate=validate.Range(1, 36500))
    # Where the analytics reports' days begin and end (docs/ANALYTICS.md).
    timezone = fields.String(load_default="UTC", validate=check_timezone)
    support_url = fields.String(
        load_default=None, allow_none=True, validate=lambda url: check_link(url, relative=False)
    )
    theme = fields.Nested(ThemeSchema, load_default=dict)
    # No user is asked two surveys within this many days (docs/SURVEYS.md); 0: no cap.
    survey_cap_days = StrictInteger(load_default=7, validate=validate.Range(0, 365))
