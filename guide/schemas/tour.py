"""Tour fields (docs/TOURS.md): where a step points, what moves it on, when a tour starts.

Kept in the author's shape in the stored body (so files round-trip); the
widget's view fills in every default (``services.guides``).
"""

from __future__ import annotations

from typing import Any

import soupsieve
from marshmallow import ValidationError, fields, validate

from guide.schemas.base import StrictSchema
from guide.schemas.fields import StrictInteger, check_url_pattern
from guide.schemas.widget import EVENT_NAME

SIDES = ("top", "bottom", "left", "right")
PLACEMENTS = ("auto", *SIDES, *(f"{s}-{a}" for s in SIDES for a in ("start", "end")))
BUTTONS = ("back", "next", "dismiss", "later")
SIMPLE_ADVANCE = ("next", "click", "input")
ON_MISSING = ("skip", "center")
MAX_WAIT_MS = 30_000


def check_selector(value: str) -> None:
    """A CSS selector browsers can run: caught here, not by a user whose tour breaks."""
    if not 0 < len(value) <= 500:
        raise ValidationError("Must be 1-500 characters.")
    try:
        soupsieve.compile(value)
    except soupsieve.SelectorSyntaxError as error:
        raise ValidationError(f"Not a valid CSS selector: {error.args[0]}") from error


class AdvanceOn(fields.Field):
    """``next``, ``click``, ``input``, ``{url: PATTERN}`` or ``{event: NAME}``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and value in SIMPLE_ADVANCE:
            return value
        if isinstance(value, dict) and len(value) == 1:
            if "url" in value and isinstance(value["url"], str):
                check_url_pattern(value["url"])
                return {"url": value["url"]}
            if "event" in value and isinstance(value["event"], str):
                EVENT_NAME(value["event"])
                return {"event": value["event"]}
        raise ValidationError('Must be next, click, input, {url: "/path/**"} or {event: NAME}.')


class Repeat(fields.Field):
    """``once`` (default), ``always`` or ``{every_days: N, max: M}``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value in ("once", "always"):
            return value
        if isinstance(value, dict):
            return RepeatSchema().load(value)
        raise ValidationError("Must be once, always or {every_days: N, max: M}.")


class RepeatSchema(StrictSchema):
    every_days = StrictInteger(required=True, validate=validate.Range(1, 365))
    max = StrictInteger(validate=validate.Range(1, 100))


class StartSchema(StrictSchema):
    url = fields.String(required=True, validate=check_url_pattern)


class Selector(fields.String):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=check_selector, **kwargs)


class Placement(fields.String):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.OneOf(PLACEMENTS), **kwargs)


class OnMissing(fields.String):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.OneOf(ON_MISSING), **kwargs)


class Buttons(fields.List):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields.String(validate=validate.OneOf(BUTTONS)),
                         validate=validate.Length(max=len(BUTTONS)), **kwargs)


# Fields only tour steps have (a checklist step with one is an error) ...
TOUR_STEP_FIELDS = (
    "target", "placement", "advance_on", "page", "wait_ms", "on_missing", "spotlight", "buttons",
)
# ... fields only tours have at the top of the file ...
TOUR_GUIDE_FIELDS = ("start", "repeat", "snooze_days", "on_missing", "spotlight")
# ... and what only checklist steps have: a tour's steps are done by the tour itself.
CHECKLIST_STEP_FIELDS = ("complete_when", "scope", "action")
