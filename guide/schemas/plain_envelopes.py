"""The envelopes' plain path: what ``EnvelopeBase.load`` returns without marshmallow.

A plainly valid ``step:complete``, ``guide:state`` or ``event:track`` (what the
widget sends, thousands a second) is taken field by field with each field's own
validator; anything else returns None and loads through the schema, so a bad
envelope gets marshmallow's error (tests/unit/test_plain_envelopes.py compares
both paths).
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from guide.schemas.base import unstorable
from guide.schemas.fields import SLUG
from guide.schemas.widget import (
    ENVELOPE_ID,
    EVENT_NAME,
    EnvelopeBase,
    GuideStateIn,
    StepCompleteIn,
    TrackIn,
    check_mapping,
)


# Each check is the field's own validator's test (the same compiled pattern, the
# same bounds); a value that fails any of them, and any key not listed, goes to
# marshmallow.
def _slug(value: Any) -> bool:
    return isinstance(value, str) and SLUG.regex.match(value) is not None


def _optional_slug(value: Any) -> bool:
    return value is None or _slug(value)


def _event_name(value: Any) -> bool:
    return isinstance(value, str) and EVENT_NAME.regex.match(value) is not None


def _url(value: Any) -> bool:
    return value is None or (isinstance(value, str) and len(value) <= 2000)


def _props(value: Any) -> bool:
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        return False
    try:
        check_mapping(value, "props", max_keys=50)
    except ValidationError:
        return False
    return True


_STATES = frozenset(["active", "dismissed", "snoozed", "not_started", "completed"])
_PLAIN_FIELDS: dict[type[EnvelopeBase], dict[str, Any]] = {
    StepCompleteIn: {"guide": _slug, "step": _slug},
    GuideStateIn: {"guide": _slug, "state": lambda v: isinstance(v, str) and v in _STATES,
                   "step": _optional_slug},
    TrackIn: {"name": _event_name, "props": _props, "url": _url},
}


def plain_envelope(schema: type[EnvelopeBase], data: Any) -> dict[str, Any] | None:
    """What ``schema().load(data)`` returns when it surely loads, else None."""
    checks = _PLAIN_FIELDS.get(schema)
    if (checks is None or not isinstance(data, dict)
            or not data.keys() <= checks.keys() | {"id", "at"}):
        return None
    envelope_id = data.get("id")
    if not isinstance(envelope_id, str) or ENVELOPE_ID.regex.match(envelope_id) is None:
        return None
    fields_ = schema._declared_fields
    out: dict[str, Any] = {"id": envelope_id, "at": None}
    for name, check in checks.items():
        if name in data:
            if not check(data[name]):
                return None
            out[name] = data[name]
        elif fields_[name].required:
            return None
        else:
            default = fields_[name].load_default
            out[name] = default() if callable(default) else default
    if "props" in out:
        out["props"] = dict(out["props"])
    if unstorable(data):
        return None
    at = data.get("at")
    if at is not None:
        try:  # the field itself: ISO 8601 with a time zone, parsed as marshmallow does
            out["at"] = fields_["at"].deserialize(at, "at", data)
        except ValidationError:
            return None
    return out
