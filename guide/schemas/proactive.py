"""content/lifecycle.yaml and content/scenarios.yaml (docs/PROACTIVE.md).

Like the guide schemas, loading returns plain JSON-serializable dicts (stored
on ``Workspace.lifecycle`` and ``Scenario.body``), every trigger and action is
normalized to exactly one kind, and unknown keys are errors. References to
guides, steps, milestones and stages are checked against the whole content
directory by ``guide.content.proactive``, where every file is known.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from guide.schemas.audience import has_url, rule_errors
from guide.schemas.base import StrictSchema
from guide.schemas.fields import (
    SLUG,
    SLUG_PATTERN,
    STEP_REF,
    AudienceRule,
    LocalizedString,
    StrictInteger,
)
from guide.schemas.widget import EVENT_NAME

MAX_MILESTONES = 100
MAX_STAGES = 20
MAX_SCENARIOS = 200
MAX_ACTIONS = 10
MAX_DAYS = 3650
TRAIT_KEY = validate.Regexp(
    r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$", error="Must be a trait name (letters, digits, _ . -)."
)
DAYS = validate.Range(0, MAX_DAYS)
EXPECTED_DAYS = validate.Range(1, MAX_DAYS)


def _exactly_one(data: dict[str, Any], kinds: tuple[str, ...], what: str) -> None:
    found = [kind for kind in kinds if kind in data]
    if len(found) != 1:
        extra = f" (found {', '.join(found)})" if found else ""
        raise ValidationError(f"{what} needs exactly one of: {', '.join(kinds)}{extra}.")


class TraitRule(AudienceRule):
    """An audience rule on traits only: a backend event has no page, so ``url`` is refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        rule = super()._deserialize(value, attr, data, **kwargs)
        if has_url(rule):
            raise ValidationError("Only trait conditions here: a URL is not known at this point.")
        return rule


# ---------------------------------------------------------------- lifecycle.yaml

MILESTONE_KINDS = ("guide", "step", "event", "traits")


class MilestoneWhenSchema(StrictSchema):
    guide = fields.String(validate=SLUG)
    step = fields.String(validate=STEP_REF)
    event = fields.String(validate=EVENT_NAME)
    # With event: reached the count-th time the event is seen.
    count = StrictInteger(validate=validate.Range(1, 10_000))
    traits = TraitRule()

    @validates_schema
    def _one_kind(self, data: dict[str, Any], **_: Any) -> None:
        _exactly_one(data, MILESTONE_KINDS, "A milestone's when")
        if "count" in data and "event" not in data:
            raise ValidationError("count goes with event.", "count")


class MilestoneSchema(StrictSchema):
    key = fields.String(required=True, validate=SLUG)
    title = LocalizedString()
    when = fields.Nested(MilestoneWhenSchema, required=True)
    # The customer-success portfolio: an account should reach it within this many days
    # of its start (docs/ANALYTICS.md, "The customer-success portfolio").
    expected_days = StrictInteger(validate=EXPECTED_DAYS)


class StageSchema(StrictSchema):
    key = fields.String(required=True, validate=SLUG)
    title = LocalizedString()
    # Entered once every one of these milestones is reached (the first stage needs none).
    requires = fields.List(fields.String(validate=SLUG), load_default=list,
                           validate=validate.Length(max=MAX_MILESTONES))
    # Its required milestones' deadline when they have no expected_days of their own.
    expected_days = StrictInteger(validate=EXPECTED_DAYS)


class LifecycleFileSchema(StrictSchema):
    milestones = fields.List(fields.Nested(MilestoneSchema), load_default=list,
                             validate=validate.Length(max=MAX_MILESTONES))
    stages = fields.List(fields.Nested(StageSchema), required=True,
                         validate=validate.Length(1, MAX_STAGES))

    @validates_schema(skip_on_field_errors=True)
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, Any] = {}
        _duplicates(data["milestones"], "milestone", "milestones", errors)
        _duplicates(data["stages"], "stage", "stages", errors)
        if data["stages"][0]["requires"]:
            errors.setdefault("stages", {}).setdefault(0, {})["requires"] = [
                "The first stage is where every user starts: it requires nothing."]
        if "expected_days" in data["stages"][0]:
            errors.setdefault("stages", {}).setdefault(0, {})["expected_days"] = [
                "The first stage is where every account starts: it has no deadline."]
        if errors:
            raise ValidationError(errors)


def _duplicates(items: list[dict[str, Any]], what: str, name: str, errors: dict[str, Any]) -> None:
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        if item["key"] in first:
            errors.setdefault(name, {}).setdefault(index, {})["key"] = [
                f'Duplicate {what} key "{item["key"]}" (also {name}[{first[item["key"]]}]).']
        first.setdefault(item["key"], index)


# ---------------------------------------------------------------- scenarios.yaml

TRIGGERS = ("milestone_missing", "guide_stalled", "inactive", "event_repeated", "help_repeated",
            "target_missing", "plan_overdue", "survey_answered", "article_unhelpful")  # fmt: skip
# Triggers evaluated when an event is written (the last two by the survey:answer and
# feedback:helpful envelopes, docs/SURVEYS.md); the others by the periodic sweep.
EVENT_TRIGGERS = ("event_repeated", "help_repeated", "target_missing", "survey_answered",
                  "article_unhelpful")
# article_unhelpful's count when none is given.
UNHELPFUL_COUNT = 3
KEY_OR_ANY = validate.Regexp(rf"^(\*|{SLUG_PATTERN})$", error='A key or "*".')
ACTIONS = ("nudge", "webhook", "email", "task", "set_trait", "tag")


class ScoreSchema(StrictSchema):
    """A condition on a survey answer's score: every bound given must hold."""

    lt = StrictInteger(validate=validate.Range(0, 11))
    lte = StrictInteger(validate=validate.Range(0, 10))
    gt = StrictInteger(validate=validate.Range(-1, 10))
    gte = StrictInteger(validate=validate.Range(0, 10))
    eq = StrictInteger(validate=validate.Range(0, 10))

    @validates_schema
    def _some(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("Give at least one of lt, lte, gt, gte, eq.")


class TriggerSchema(StrictSchema):
    # A milestone not reached `days` after the user was first seen (or entered `after_stage`).
    milestone_missing = fields.String(validate=SLUG)
    after_stage = fields.String(validate=SLUG)
    # No progress on an active guide for `days`.
    guide_stalled = fields.String(validate=SLUG)
    # No activity at all `days` after sign-up.
    inactive = fields.Boolean(truthy={True}, falsy=set())
    # An event seen `count` times within `within_minutes`.
    event_repeated = fields.String(validate=EVENT_NAME)
    within_minutes = StrictInteger(validate=validate.Range(1, 60 * 24 * 30))
    # Help opened `count` times on the same step (default 2).
    help_repeated = fields.Boolean(truthy={True}, falsy=set())
    # A $target_missing on the step the user is on (optionally only this guide).
    target_missing = fields.String(validate=validate.Regexp(rf"^(\*|{SLUG_PATTERN})$",
                                                            error='A guide key or "*".'))
    # A plan step past its due date and not done (optionally only this guide; "*": any plan).
    plan_overdue = fields.String(validate=validate.Regexp(rf"^(\*|{SLUG_PATTERN})$",
                                                          error='A plan key or "*".'))
    owner = fields.String(validate=validate.OneOf(["customer", "vendor"]))
    # A survey answer was recorded (docs/SURVEYS.md), its score or choice as given.
    survey_answered = fields.String(validate=KEY_OR_ANY)
    question = fields.String(validate=SLUG)
    score = fields.Nested(ScoreSchema)
    choice = fields.String(validate=SLUG)
    # An article's "not helpful" votes reached `count` (default 3), across users.
    article_unhelpful = fields.String(validate=KEY_OR_ANY)
    days = StrictInteger(validate=DAYS)
    count = StrictInteger(validate=validate.Range(2, 10_000))

    @validates_schema
    def _fits(self, data: dict[str, Any], **_: Any) -> None:
        _exactly_one(data, TRIGGERS, "A trigger")
        kind = next(k for k in TRIGGERS if k in data)
        allowed = {
            "milestone_missing": {"days", "after_stage"}, "guide_stalled": {"days"},
            "inactive": {"days"}, "event_repeated": {"count", "within_minutes"},
            "help_repeated": {"count"}, "target_missing": set(), "plan_overdue": {"owner"},
            "survey_answered": {"question", "score", "choice"}, "article_unhelpful": {"count"},
        }[kind]
        needed = {"milestone_missing": {"days"}, "guide_stalled": {"days"}, "inactive": {"days"},
                  "event_repeated": {"count", "within_minutes"}}.get(kind, set())
        errors = {name: [f"{kind} does not take {name}."]
                  for name in data if name != kind and name not in allowed}
        errors.update({name: [f"{kind} needs {name}."] for name in needed if name not in data})
        if errors:
            raise ValidationError(errors)

    @post_load
    def _normalize(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "help_repeated" in data:
            data.setdefault("count", 2)
        if "article_unhelpful" in data:
            data.setdefault("count", UNHELPFUL_COUNT)
        return data


class NudgeActionSchema(StrictSchema):
    title = LocalizedString(max_length=100)
    message = LocalizedString(required=True, max_length=500)
    guide = fields.String(validate=SLUG)
    step = fields.String(validate=SLUG)
    # card: a message with "Show me"; start: start the guide (never over an active tour).
    mode = fields.String(load_default="card", validate=validate.OneOf(["card", "start"]))

    @validates_schema
    def _guide_for_step(self, data: dict[str, Any], **_: Any) -> None:
        if "step" in data and "guide" not in data:
            raise ValidationError("step goes with guide.", "step")
        if data.get("mode") == "start" and "guide" not in data:
            raise ValidationError("mode: start needs a guide to start.", "mode")


class EmailActionSchema(StrictSchema):
    # csm / owner: the address in the account trait csm_email / owner_email.
    to = fields.String(required=True, validate=validate.Regexp(
        r"^(csm|owner|[^@\s]{1,64}@[^@\s]{1,255})$", error='Must be "csm", "owner" or an address.'))
    subject = fields.String(required=True, validate=validate.Length(1, 200))
    text = fields.String(validate=validate.Length(max=5000))


class TaskActionSchema(StrictSchema):
    message = fields.String(required=True, validate=validate.Length(1, 2000))


class SetTraitActionSchema(StrictSchema):
    key = fields.String(required=True, validate=TRAIT_KEY)
    value = fields.Raw(required=True, allow_none=True)

    @validates_schema
    def _scalar(self, data: dict[str, Any], **_: Any) -> None:
        value = data.get("value")
        if not (value is None or isinstance(value, str | bool | int | float)):
            raise ValidationError("A trait value is a string, number, boolean or null.", "value")


class WebhookActionSchema(StrictSchema):
    # Extra fields merged into the webhook's data (e.g. a routing hint for the receiver).
    data = fields.Dict(keys=fields.String(validate=TRAIT_KEY), load_default=dict)


class ActionSchema(StrictSchema):
    nudge = fields.Nested(NudgeActionSchema)
    webhook = fields.Nested(WebhookActionSchema)
    email = fields.Nested(EmailActionSchema)
    task = fields.Nested(TaskActionSchema)
    set_trait = fields.Nested(SetTraitActionSchema)
    tag = fields.String(validate=TRAIT_KEY)

    @validates_schema
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        _exactly_one(data, ACTIONS, "An action")


# ---------------------------------------------------------------- goal and holdout

GOALS = ("milestone", "guide", "step", "event")
DEFAULT_GOAL_DAYS = 7
MAX_HOLDOUT = 50
PERCENT = re.compile(r"^(\d{1,2}(?:\.\d{1,2})?)\s*%$")


class Percent(fields.Field):
    """``holdout: 10%``: a share written as a percentage (0% to 50%, at most two decimals),
    loaded as the number of percent (10, 2.5); pull writes it back as ``10%``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        found = PERCENT.match(value.strip()) if isinstance(value, str) else None
        if found is None:
            raise ValidationError(f'Must be a percentage such as "10%" (0% to {MAX_HOLDOUT}%).')
        number = float(found.group(1))
        if number > MAX_HOLDOUT:
            raise ValidationError(f"At most {MAX_HOLDOUT}%: a holdout larger than the treated "
                                  "group only delays the action for most subjects.")
        return int(number) if number.is_integer() else number

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else percent_text(value)


def percent_text(value: float) -> str:
    return f"{value:g}%"


class GoalSchema(StrictSchema):
    # Reached the milestone (the subject's own; an account's for account scenarios).
    milestone = fields.String(validate=SLUG)
    # Completed the guide.
    guide = fields.String(validate=SLUG)
    # A plan step done for the account (plan steps record when they were done).
    step = fields.String(validate=STEP_REF)
    # Tracked the event (Guide.track or POST /api/v1/track).
    event = fields.String(validate=EVENT_NAME)

    @validates_schema
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        _exactly_one(data, GOALS, "A goal")


def scenario_subject(body: dict[str, Any]) -> str:
    """Who a scenario fires for: "account" for plan_overdue, else "user"."""
    return "account" if "plan_overdue" in (body.get("trigger") or {}) else "user"


def scenario_goal(body: dict[str, Any]) -> dict[str, Any] | None:
    """What a scenario's firing should lead to, and within how many days (docs/PROACTIVE.md,
    "Goal"): ``{"kind", "key", "days"}``; the explicit ``goal:`` or the trigger's own
    (milestone_missing: the milestone; guide_stalled: completing the guide; plan_overdue:
    the overdue step, ``kind`` "plan_step" with no key: each firing names its step in its
    window). None when there is neither."""
    goal, trigger = body.get("goal"), body.get("trigger") or {}
    if goal:
        kind, key = next(iter(goal.items()))
    elif "milestone_missing" in trigger:
        kind, key = "milestone", trigger["milestone_missing"]
    elif "guide_stalled" in trigger:
        kind, key = "guide", trigger["guide_stalled"]
    elif "plan_overdue" in trigger:
        kind, key = "plan_step", None
    else:
        return None
    return {"kind": kind, "key": key, "days": body.get("goal_days", DEFAULT_GOAL_DAYS)}


class ScenarioSchema(StrictSchema):
    key = fields.String(required=True, validate=SLUG)
    title = fields.String(validate=validate.Length(1, 200))
    enabled = fields.Boolean(truthy={True}, falsy={False}, load_default=True)
    trigger = fields.Nested(TriggerSchema, required=True)
    # Trait conditions on the user (and account.* traits) that must also hold.
    conditions = TraitRule()
    # At most one firing per subject within this many days (default: no cooldown).
    cooldown_days = StrictInteger(validate=DAYS)
    # At most this many firings per subject, ever (default 1).
    max_per_subject = StrictInteger(load_default=1, validate=validate.Range(1, 1000))
    # What a firing should lead to (default: the trigger's own goal) and within how many
    # days (default 7): the Scenarios report's conversion.
    goal = fields.Nested(GoalSchema)
    goal_days = StrictInteger(validate=validate.Range(1, 365))
    # This share of matches is held out: recorded as a firing, no action taken.
    holdout = Percent()
    actions = fields.List(fields.Nested(ActionSchema), required=True,
                          validate=validate.Length(1, MAX_ACTIONS))

    @validates_schema(skip_on_field_errors=True)
    def _measurable(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("holdout") and scenario_goal(data) is None:
            raise ValidationError("A holdout measures the lift on a goal, and this trigger has "
                                  "none of its own: add goal: {milestone|guide|step|event: ...}.",
                                  "holdout")


class ScenarioSettingsSchema(StrictSchema):
    # Scenario nudges one user gets per day, across scenarios.
    max_nudges_per_day = StrictInteger(load_default=3, validate=validate.Range(1, 100))
    # How often the worker sweeps for time-based triggers, in seconds.
    sweep_seconds = StrictInteger(load_default=300, validate=validate.Range(10, 86_400))


class ScenariosFileSchema(StrictSchema):
    settings = fields.Nested(ScenarioSettingsSchema, load_default=lambda: {
        "max_nudges_per_day": 3, "sweep_seconds": 300})
    scenarios = fields.List(fields.Nested(ScenarioSchema), required=True,
                            validate=validate.Length(max=MAX_SCENARIOS))

    @validates_schema(skip_on_field_errors=True)
    def _unique(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, Any] = {}
        _duplicates(data["scenarios"], "scenario", "scenarios", errors)
        if errors:
            raise ValidationError(errors)


__all__ = ["LifecycleFileSchema", "ScenariosFileSchema", "rule_errors"]


# Holdouts (docs/PROACTIVE.md, "Holdout and goal"): the engine and the demo history
# split subjects the same way.
BUCKETS = 10_000


def holdout_bucket(scenario_key: str, subject_type: str, external_id: str) -> int:
    """0..9999 from sha256("<scenario key>:<subject type>:<external id>"): the same subject
    always lands in the same bucket of a scenario, in every database and environment that
    knows it by that id (not by a row id), and buckets are uniform over subjects."""
    digest = hashlib.sha256(f"{scenario_key}:{subject_type}:{external_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def in_holdout(scenario_key: str, subject_type: str, external_id: str, percent: float) -> bool:
    """Held out when the bucket is below ``percent`` x 100 (10% -> buckets 0..999)."""
    return holdout_bucket(scenario_key, subject_type, external_id) < round(percent * 100)
