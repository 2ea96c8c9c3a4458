"""What the widget sends: bootstrap requests and envelopes (docs/PROTOCOL.md)."""

from __future__ import annotations

import json
import re
from typing import Any

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from guide.schemas.base import StrictSchema, unstorable
from guide.schemas.fields import LOCALE, SLUG, StrictBoolean, StrictInteger

# A client-generated envelope id (a UUID, or a backend call's own id when it fits).
ENVELOPE_ID_FORMAT = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
ENVELOPE_ID = validate.Regexp(
    ENVELOPE_ID_FORMAT, error="Must be 8-64 letters, digits, '-' or '_' (a UUID)."
)
EVENT_NAME = validate.Regexp(
    r"^\$?[A-Za-z0-9][A-Za-z0-9_.:/ -]{0,199}$",
    error="Must be 1-200 letters, digits, spaces or _ . : / - (e.g. 'integration_connected').",
)
MAX_TRAITS = 100
MAX_PROPS_JSON = 16 * 1024


def check_mapping(value: dict[str, Any], what: str, max_keys: int = MAX_TRAITS) -> None:
    """Traits and props: a flat-ish JSON object of bounded size with short keys."""
    if len(value) > max_keys:
        raise ValidationError(f"At most {max_keys} {what} are allowed.")
    for key in value:
        if not isinstance(key, str) or not 0 < len(key) <= 100:
            raise ValidationError(f"{what.capitalize()} names must be 1-100 characters.")
    if len(json.dumps(value, default=str)) > MAX_PROPS_JSON:
        raise ValidationError(f"{what.capitalize()} are limited to {MAX_PROPS_JSON} bytes.")


class UserIn(StrictSchema):
    CHECK_STORABLE = True
    id = fields.String(required=True, validate=validate.Length(1, 255))
    traits = fields.Dict(keys=fields.String(), load_default=dict)

    @validates("traits")
    def _traits(self, value: dict[str, Any], **_: Any) -> None:
        check_mapping(value, "traits")


class AccountIn(UserIn):
    pass


# The bootstrap's optional strings and their longest length (``_plain_bootstrap``
# and the schema's validators say the same).
_BOOTSTRAP_TEXT = {"token": 4096, "url": 2000, "preview": 1000}


class BootstrapIn(StrictSchema):
    CHECK_STORABLE = True
    app = fields.String(required=True, validate=validate.Length(1, 64))
    user = fields.Nested(UserIn, required=True)
    account = fields.Nested(AccountIn, allow_none=True, load_default=None)
    token = fields.String(allow_none=True, load_default=None,
                          validate=validate.Length(max=_BOOTSTRAP_TEXT["token"]))
    url = fields.String(allow_none=True, load_default=None,
                        validate=validate.Length(max=_BOOTSTRAP_TEXT["url"]))
    # An author's preview token (docs/AUTHORING.md): this browser sees the draft.
    preview = fields.String(allow_none=True, load_default=None,
                            validate=validate.Length(max=_BOOTSTRAP_TEXT["preview"]))
    locale = fields.String(
        allow_none=True, load_default=None,
        validate=validate.Regexp(LOCALE, error="Not a BCP 47 tag."),
    )

    def load(self, data: Any, **options: Any) -> Any:
        """A body that is plainly valid (every bootstrap a widget sends) is taken as it
        is, without marshmallow's field machinery (~5% of a bootstrap's CPU); anything
        else (or any load option: many, partial, ...) loads through the schema, so a
        bad body gets the same 400 as ever."""
        plain = None if any(v is not None for v in options.values()) else _plain_bootstrap(data)
        if plain is not None:
            return plain
        return super().load(data, **options)


def _plain_bootstrap(data: Any) -> dict[str, Any] | None:
    """What ``BootstrapIn`` would load from ``data`` when it surely loads, else None."""
    if (not isinstance(data, dict) or not data.keys() <= BootstrapIn._declared_fields.keys()
            or not isinstance(data.get("app"), str) or not 0 < len(data["app"]) <= 64
            or unstorable(data)):
        return None
    user, account = _plain_user(data.get("user")), data.get("account")
    if user is None or (account is not None and _plain_user(account) is None):
        return None
    out = {"app": data["app"], "user": user,
           "account": _plain_user(account) if account is not None else None}
    for name, longest in _BOOTSTRAP_TEXT.items():
        value = data.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > longest):
            return None
        out[name] = value
    locale = data.get("locale")
    if locale is not None and (not isinstance(locale, str) or not LOCALE.match(locale)):
        return None
    out["locale"] = locale
    return out


def _plain_user(data: Any) -> dict[str, Any] | None:
    """``UserIn``/``AccountIn``'s load of ``data`` when it surely loads, else None."""
    if (not isinstance(data, dict) or not data.keys() <= {"id", "traits"}
            or not isinstance(data.get("id"), str) or not 0 < len(data["id"]) <= 255):
        return None
    traits = data.get("traits", {})
    if not isinstance(traits, dict):
        return None
    try:
        check_mapping(traits, "traits")
    except ValidationError:
        return None
    return {"id": data["id"], "traits": dict(traits)}


class EnvelopeBase(StrictSchema):
    CHECK_STORABLE = True
    id = fields.String(required=True, validate=ENVELOPE_ID)
    at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=None)


class StepCompleteIn(EnvelopeBase):
    guide = fields.String(required=True, validate=SLUG)
    step = fields.String(required=True, validate=SLUG)


class GuideStateIn(EnvelopeBase):
    guide = fields.String(required=True, validate=SLUG)
    state = fields.String(
        required=True,
        validate=validate.OneOf(["active", "dismissed", "snoozed", "not_started", "completed"]),
    )
    step = fields.String(load_default=None, allow_none=True, validate=SLUG)


class TrackIn(EnvelopeBase):
    name = fields.String(required=True, validate=EVENT_NAME)
    props = fields.Dict(keys=fields.String(), load_default=dict)
    url = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))

    @validates("props")
    def _props(self, value: dict[str, Any], **_: Any) -> None:
        check_mapping(value, "props", max_keys=50)


class EscalateIn(EnvelopeBase):
    """``help:escalate``: a stuck user's message; the server assembles the context."""

    message = fields.String(required=True, validate=validate.Length(1, 5000))
    severity = fields.String(required=True, validate=validate.OneOf(["blocked", "question"]))
    guide = fields.String(load_default=None, allow_none=True, validate=SLUG)
    step = fields.String(load_default=None, allow_none=True, validate=SLUG)
    url = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    article = fields.String(load_default=None, allow_none=True, validate=SLUG)

    @validates("message")
    def _message(self, value: str, **_: Any) -> None:
        if not value.strip():
            raise ValidationError("Write what you need help with (1-5000 characters).")

    @validates_schema
    def _step_needs_guide(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("step") and not data.get("guide"):
            raise ValidationError("A step needs its guide.", "step")


class SurveyAnswerIn(EnvelopeBase):
    """``survey:answer`` (docs/SURVEYS.md): the answers are checked against ``version``."""

    survey = fields.String(required=True, validate=SLUG)
    version = StrictInteger(required=True, validate=validate.Range(1, 10**6))
    answers = fields.Dict(keys=fields.String(validate=validate.Length(1, 100)), required=True,
                          validate=validate.Length(max=50))
    comment = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(1, 2000))


class HelpfulIn(EnvelopeBase):
    """``feedback:helpful``: a "was this helpful?" vote on an article or a guide step."""

    article = fields.String(load_default=None, allow_none=True, validate=SLUG)
    guide = fields.String(load_default=None, allow_none=True, validate=SLUG)
    step = fields.String(load_default=None, allow_none=True, validate=SLUG)
    helpful = StrictBoolean(required=True)
    comment = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(1, 2000))

    @validates_schema
    def _one_subject(self, data: dict[str, Any], **_: Any) -> None:
        if bool(data.get("article")) == bool(data.get("guide") and data.get("step")) or (
                bool(data.get("guide")) != bool(data.get("step"))):
            raise ValidationError("Name exactly one of: article, or guide and step.")


ENVELOPE_SCHEMAS: dict[str, type[EnvelopeBase]] = {
    "step:complete": StepCompleteIn,
    "guide:state": GuideStateIn,
    "event:track": TrackIn,
    "help:escalate": EscalateIn,
    "survey:answer": SurveyAnswerIn,
    "feedback:helpful": HelpfulIn,
}


class EnvelopeItem(StrictSchema):
    CHECK_STORABLE = True
    type = fields.String(required=True, validate=validate.OneOf(sorted(ENVELOPE_SCHEMAS)))
    data = fields.Dict(required=True)


class BatchIn(StrictSchema):
    CHECK_STORABLE = True
    token = fields.String(load_default=None, allow_none=True)
    envelopes = fields.List(
        fields.Nested(EnvelopeItem), required=True, validate=validate.Length(0, 100)
    )
    # A widget without a socket (a CSP without ws:) asks for its waiting nudges here.
    nudges = fields.Boolean(load_default=False)

    @validates_schema(skip_on_field_errors=True)
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        # Empty only to ask for nudges (a widget with nothing to send checking in).
        if not data["envelopes"] and not data["nudges"]:
            raise ValidationError("Send at least one envelope.", "envelopes")
