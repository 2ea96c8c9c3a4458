"""Content files (docs/CONTENT.md): workspace.yaml and guides/*.yaml.

The same schemas validate files (``flask guide content validate``) and the
content API, so a guide that passes CI is a guide the server accepts. Loading
yields a plain JSON-serializable dict, stored as ``GuideVersion.body``:
localized strings keep the author's shape and ``complete_when`` is normalized
to exactly one of ``{"manual": true}``, ``{"event": ...}``, ``{"url": ...}``.
Unknown keys are errors, so a typo is caught instead of silently ignored.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from guide.schemas.widget import EVENT_NAME
from guide.services.audience import rule_errors

SLUG = validate.Regexp(
    r"^[a-z0-9][a-z0-9_-]{0,99}$",
    error='Must be a slug: lowercase letters, digits, "-" or "_", starting with a letter '
    'or digit (e.g. "connect-data").',
)
WORKSPACE_KEY = validate.Regexp(
    r"^[a-z0-9][a-z0-9_-]{0,63}$", error='Must be a slug of at most 64 characters (e.g. "demo").'
)
LOCALE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
COLOR = validate.Regexp(
    r"^#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$",
    error='Must be a hex color ("#4f46e5").',
)
FONT = validate.Regexp(
    r"""^[A-Za-z0-9 ,'"_-]{1,200}$""",
    error='Must be a CSS font-family list (letters, digits, spaces, quotes, "," "-" "_").',
)
LINK_SCHEMES = ("http", "https", "mailto")
TOUR_ONLY_FIELDS = ("target", "placement", "advance_on")
ADVANCE_ON = ("click", "input", "url", "event", "next")
MAX_STEPS = 50


def check_locale(tag: Any) -> None:
    if not isinstance(tag, str) or not LOCALE_TAG.match(tag):
        raise ValidationError("Not a valid locale tag (e.g. en, fr, fr-CA).")


def check_link(url: str, *, relative: bool = True) -> None:
    """Links authors put in front of users: relative, http(s) or mailto, nothing executable."""
    if not url or len(url) > 2000:
        raise ValidationError("Must be 1-2000 characters.")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        # Browsers strip tabs and newlines, so "java\tscript:" would still run.
        raise ValidationError("Must not contain spaces or control characters; encode them (%20).")
    if url.startswith("//"):
        raise ValidationError('Protocol-relative URLs are not allowed; write "https://...".')
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not scheme and not relative:
        raise ValidationError("Must be an absolute http(s) or mailto URL.")
    if scheme and scheme not in LINK_SCHEMES:
        raise ValidationError(
            f'Link scheme "{scheme}:" is not allowed; use a relative URL, http(s) or mailto.'
        )
    if scheme in ("http", "https") and not parts.netloc:
        raise ValidationError(f'"{url}" has no host; write "https://example.com/...".')


def check_url_pattern(pattern: str) -> None:
    if not pattern.startswith("/") or len(pattern) > 2000:
        raise ValidationError('A URL pattern is a path starting with "/" (e.g. "/app/**").')


def normalize_origin(value: Any) -> str:
    """``HTTPS://App.example.com/`` -> ``https://app.example.com`` (the Origin header's form)."""
    if not isinstance(value, str):
        raise ValidationError("Not a valid string.")
    parts = urlsplit(value.strip().rstrip("/"))
    try:
        port = parts.port
    except ValueError:
        port, parts = None, parts._replace(netloc="")
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.path
        or parts.query
        or parts.fragment
    ):
        raise ValidationError(f'"{value}" is not an origin; write scheme://host[:port].')
    host = parts.hostname.lower()
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class StrictBoolean(fields.Boolean):
    """Only true/false: marshmallow would accept "yes", 1 or "on" and hide a mistake."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Must be true or false.")
        return value


class StrictInteger(fields.Integer):
    """Whole numbers only: neither "3", 3.0 nor true (which Python counts as 1)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise ValidationError("Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)


class Origin(fields.Field):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return normalize_origin(value)


class LocalizedString(fields.Field):
    """A plain string, or a ``{locale: string}`` map; returned in the shape it came in."""

    def __init__(self, max_length: int = 200, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length

    def _check_text(self, text: Any) -> None:
        if not isinstance(text, str) or not text.strip():
            raise ValidationError("Must be a non-empty string (quote it if YAML reads it as "
                                  "something else).")  # fmt: skip
        if len(text) > self.max_length:
            raise ValidationError(f"Must be at most {self.max_length} characters.")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            if not isinstance(value, str):
                raise ValidationError("Must be a string or a map of locale to string "
                                      "(e.g. {en: Hello, fr: Bonjour}).")  # fmt: skip
            self._check_text(value)
            return value
        if not value:
            raise ValidationError("Must have at least one translation (e.g. {en: Hello}).")
        errors: dict[str, list[str]] = {}
        for tag, text in value.items():
            try:
                check_locale(tag)
                self._check_text(text)
            except ValidationError as error:
                errors[tag] = error.messages  # type: ignore[assignment]
        if errors:
            raise ValidationError(errors)
        return dict(value)


class AudienceRule(fields.Field):
    """An audience rule, checked against the grammar in ``guide.services.audience``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        errors = rule_errors(value)
        if errors:
            raise ValidationError(errors)
        return value


class CompleteWhenSchema(StrictSchema):
    event = fields.String(validate=EVENT_NAME)
    url = fields.String(validate=check_url_pattern)
    manual = StrictBoolean()

    @validates_schema
    def _exactly_one(self, data: dict[str, Any], **_: Any) -> None:
        if len(data) != 1:
            raise ValidationError("Needs exactly one of: event, url, manual.")
        if data.get("manual") is False:
            raise ValidationError("manual: false is not a rule; use event or url.", "manual")


class CompleteWhen(fields.Field):
    """``manual``, ``{manual: true}``, ``{event: NAME}`` or ``{url: PATTERN}``, normalized."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value == "manual":
            return {"manual": True}
        if not isinstance(value, dict):
            raise ValidationError('Must be "manual", {event: NAME}, {url: PATTERN} '
                                  "or {manual: true}.")  # fmt: skip
        return CompleteWhenSchema().load(value)


class ActionSchema(StrictSchema):
    label = LocalizedString(required=True, max_length=100)
    url = fields.String(required=True, validate=check_link)


class AdvanceOn(fields.Field):
    """Tours only; checked loosely until tours land (a later issue fixes the grammar)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and value in ADVANCE_ON:
            return value
        if isinstance(value, dict) and value:
            return value
        raise ValidationError(f"Must be one of {', '.join(ADVANCE_ON)}, or a mapping.")


class StepSchema(StrictSchema):
    id = fields.String(required=True, validate=SLUG)
    title = LocalizedString(required=True)
    body = LocalizedString(max_length=20_000)
    action = fields.Nested(ActionSchema)
    complete_when = CompleteWhen(load_default=lambda: {"manual": True})
    scope = fields.String(load_default="user", validate=validate.OneOf(["user", "account"]))
    help = fields.String(validate=SLUG)
    target = fields.String(validate=validate.Length(1, 500))
    placement = fields.String(validate=validate.OneOf(["top", "bottom", "left", "right", "auto"]))
    advance_on = AdvanceOn()


class GuideFileSchema(StrictSchema):
    """One guide file; ``load`` returns the body stored in ``GuideVersion.body``."""

    key = fields.String(required=True, validate=SLUG)
    kind = fields.String(required=True, validate=validate.OneOf(["checklist", "tour"]))
    title = LocalizedString(required=True)
    description = LocalizedString(max_length=1000)
    priority = StrictInteger(load_default=0, validate=validate.Range(-10_000, 10_000))
    milestone = fields.String(validate=SLUG)
    audience = AudienceRule()
    steps = fields.List(
        fields.Nested(StepSchema),
        required=True,
        validate=validate.Length(1, MAX_STEPS, error=f"A guide has 1 to {MAX_STEPS} steps."),
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _steps_fit_guide(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        """Step ids are unique (progress refers to them); checklists carry no tour fields.

        Reads the original data so these errors show up alongside field errors
        with the author's own step indexes (a failed step is absent from ``data``).
        """
        raw = original.get("steps") if isinstance(original, dict) else None
        if not isinstance(raw, list):
            return
        checklist = original.get("kind") == "checklist"
        errors: dict[int, dict[str, list[str]]] = {}
        first_index: dict[Any, int] = {}
        for index, step in enumerate(raw):
            if not isinstance(step, dict):
                continue
            step_id = step.get("id")
            if isinstance(step_id, str) and step_id in first_index:
                message = f'Duplicate step id "{step_id}" (also steps[{first_index[step_id]}]).'
                errors.setdefault(index, {})["id"] = [message]
            if isinstance(step_id, str):
                first_index.setdefault(step_id, index)
            for name in TOUR_ONLY_FIELDS if checklist else ():
                if name in step:
                    message = f"Only tour steps have {name}; remove it or use kind: tour."
                    errors.setdefault(index, {})[name] = [message]
        if errors:
            raise ValidationError(errors, "steps")


class ThemeSchema(StrictSchema):
    accent = fields.String(validate=COLOR)
    background = fields.String(validate=COLOR)
    text = fields.String(validate=COLOR)
    radius = StrictInteger(validate=validate.Range(0, 32))
    font = fields.String(validate=FONT)


class WorkspaceFileSchema(StrictSchema):
    """workspace.yaml. Signing secrets never live in files: the server generates them."""

    key = fields.String(required=True, validate=WORKSPACE_KEY)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    default_locale = fields.String(load_default="en", validate=check_locale)
    allowed_origins = fields.List(Origin(), load_default=list, validate=validate.Length(max=50))
    require_identity = StrictBoolean(load_default=False)
    help_enabled = StrictBoolean(load_default=True)
    support_url = fields.String(
        load_default=None, allow_none=True, validate=lambda url: check_link(url, relative=False)
    )
    theme = fields.Nested(ThemeSchema, load_default=dict)
