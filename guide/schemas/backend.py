"""Backend calls (secret API key): track, identify, group and Segment-style batches.

Each call comes in Guide's own shape (``user_id``, ``props``...) or in
Segment's (``type``, ``userId``, ``properties``, ``messageId``...). Segment's
shape is recognised by its keys and renamed to Guide's before validation;
its other fields (context, integrations, anonymousId, sentAt...) are ignored,
since Segment adds fields over time. Guide's shape is strict: an unknown key
is a mistake worth reporting.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from marshmallow.decorators import pre_load, validates, validates_schema

from guide.errors import InvalidPayload
from guide.schemas.base import StrictSchema
from guide.schemas.fields import LOCALE
from guide.schemas.users import Dumped, IdentifiedUserOut
from guide.schemas.widget import EVENT_NAME, check_mapping

MAX_BATCH = 100
EXTERNAL_ID = validate.Length(1, 255)
# Segment's field -> Guide's, per call type (the rest of a Segment call is ignored).
SEGMENT_FIELDS: dict[str, dict[str, str]] = {
    "track": {"userId": "user_id", "event": "event", "properties": "props",
              "messageId": "id", "timestamp": "at"},
    "identify": {"userId": "user_id", "traits": "traits"},
    "group": {"userId": "user_id", "groupId": "account_id", "traits": "traits"},
}
# Keys only Segment's shape has (every Segment call has a userId or an anonymousId).
SEGMENT_MARKERS = ("userId", "anonymousId", "messageId", "properties", "groupId")
# Top-level fields of Segment's batch request besides ``batch``.
SEGMENT_BATCH_EXTRAS = ("context", "integrations", "sentAt", "writeKey", "metadata")


def is_segment(data: Any) -> bool:
    return isinstance(data, dict) and any(key in data for key in SEGMENT_MARKERS)


def from_segment(kind: str, data: Any) -> Any:
    """A Segment call renamed to Guide's shape; a Guide call without its optional ``type``.

    Raises ``user_required`` for a Segment call without a userId: Guide keeps
    progress per identified user, and an anonymousId cannot be joined to one.
    """
    if not isinstance(data, dict):
        return data
    if data.get("type", kind) != kind:
        raise ValidationError(f"This endpoint takes {kind} calls, not {data['type']!r}.", "type")
    if not is_segment(data):
        return {key: value for key, value in data.items() if key != "type"}
    if data.get("userId") in (None, ""):
        raise InvalidPayload(
            "A userId is required: Guide keeps progress per identified user, so calls with "
            "only an anonymousId are not recorded (send them after identify).",
            code="user_required",
        )
    fields_of = SEGMENT_FIELDS[kind]
    renamed = {ours: data[theirs] for theirs, ours in fields_of.items() if theirs in data}
    for key in ("user_id", "account_id"):
        if isinstance(renamed.get(key), int) and not isinstance(renamed[key], bool):
            renamed[key] = str(renamed[key])  # Segment libraries send numeric ids too
    return renamed


class _Call(StrictSchema):
    CHECK_STORABLE = True
    kind = ""
    user_id = fields.String(required=True, validate=EXTERNAL_ID)

    @pre_load
    def _segment(self, data: Any, **_: Any) -> Any:
        return from_segment(self.kind, data)


class TrackCall(_Call):
    """``{"user_id", "event", "props"?, "id"?, "at"?}``."""

    kind = "track"
    event = fields.String(required=True, validate=EVENT_NAME)
    props = fields.Dict(keys=fields.String(), load_default=dict)
    # An idempotency key (Segment's messageId): a replay is recorded once.
    id = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 255))
    at = fields.AwareDateTime(load_default=None, allow_none=True)

    @validates("props")
    def _props(self, value: dict[str, Any], **_: Any) -> None:
        check_mapping(value, "props", max_keys=50)


class _TraitsCall(_Call):
    traits = fields.Dict(keys=fields.String(), load_default=dict)

    @validates("traits")
    def _traits(self, value: dict[str, Any], **_: Any) -> None:
        check_mapping(value, "traits")


class IdentifyCall(_TraitsCall):
    """``{"user_id", "traits"?, "account_id"?, "account_traits"?, "locale"?}``."""

    kind = "identify"
    account_id = fields.String(load_default=None, allow_none=True, validate=EXTERNAL_ID)
    account_traits = fields.Dict(keys=fields.String(), load_default=dict)
    locale = fields.String(load_default=None, allow_none=True,
                           validate=validate.Regexp(LOCALE, error="Not a BCP 47 tag."))

    @validates("account_traits")
    def _account_traits(self, value: dict[str, Any], **_: Any) -> None:
        check_mapping(value, "account traits")

    @validates_schema(skip_on_field_errors=True)
    def _account_named(self, data: dict[str, Any], **_: Any) -> None:
        if data["account_traits"] and not data["account_id"]:
            raise ValidationError("account_traits need the account_id they belong to.",
                                  "account_traits")


class GroupCall(_TraitsCall):
    """``{"user_id", "account_id", "traits"?}``: traits are the account's."""

    kind = "group"
    account_id = fields.String(required=True, validate=EXTERNAL_ID)


CALL_SCHEMAS: dict[str, type[_Call]] = {
    "track": TrackCall, "identify": IdentifyCall, "group": GroupCall,
}


class BatchRequest(StrictSchema):
    """Segment's ``{"batch": [...]}``; a bare JSON array of calls is read as the batch."""

    CHECK_STORABLE = True

    batch = fields.List(fields.Dict(), required=True, validate=validate.Length(
        1, MAX_BATCH, error=f"A batch has 1 to {MAX_BATCH} calls."))

    @pre_load
    def _shape(self, data: Any, **_: Any) -> Any:
        if isinstance(data, list):
            return {"batch": data}
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in SEGMENT_BATCH_EXTRAS}
        return data


class IdentifyResult(Schema):
    ok = fields.Boolean()
    user = Dumped(IdentifiedUserOut)


class TrackResult(Schema):
    """The ``event:track`` acknowledgement of docs/PROTOCOL.md."""

    ok = fields.Boolean()
    id = fields.String()
    duplicate = fields.Boolean()
    completed = fields.List(fields.Dict())
    progress = fields.Dict()


class BatchResult(Schema):
    results = fields.List(fields.Dict())
