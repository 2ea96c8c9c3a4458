"""Field types and checks shared by the content schemas (guides, tours, workspace)."""

from __future__ import annotations

import re
import zoneinfo
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from marshmallow import ValidationError, fields, validate

from guide.schemas.audience import rule_errors
from guide.wording import N_

# The one slug: guide keys, step ids, tours, help articles, milestones, stages,
# scenarios, workspace keys, whether they come from content files, the widget or
# the API: a lowercase letter or digit, then letters, digits, "-" or "_". Patterns
# that embed one (``guide/step``, ``*`` or a slug) are built from SLUG_PATTERN, and
# so are the admin editor's <input pattern> attributes (the "-" is escaped: browsers
# compile pattern attributes with the "v" flag, which requires it).
SLUG_START = r"[a-z0-9][a-z0-9_\-]"
SLUG_PATTERN = SLUG_START + "{0,99}"
SLUG = validate.Regexp(
    rf"^{SLUG_PATTERN}$",
    error='Must be a slug: lowercase letters, digits, "-" or "_", starting with a letter '
    'or digit (e.g. "connect-data").',
)
# A step named by its guide: plan milestones, help articles' steps.
STEP_REF = validate.Regexp(
    rf"^{SLUG_PATTERN}/{SLUG_PATTERN}$",
    error='Must be "guide-key/step-id" (e.g. "getting-started/connect-data").',
)
WORKSPACE_KEY = validate.Regexp(
    rf"^{SLUG_START}{{0,63}}$", error='Must be a slug of at most 64 characters (e.g. "demo").'
)
# A BCP 47 tag: a 2-3 letter language (ISO 639), then subtags of 1-8 letters or digits
# (script, region, variants, extensions), at most 35 characters (RFC 5646's longest
# useful tag, and the locale columns). Content locales and end users' locales alike.
LOCALE_PATTERN = r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*"  # also the admin's input pattern
LOCALE = re.compile(rf"^(?=.{{2,35}}$){LOCALE_PATTERN}$")
COLOR = validate.Regexp(
    r"^#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$",
    error=N_('Must be a hex color ("#4f46e5").'),
)
FONT = validate.Regexp(
    r"""^[A-Za-z0-9 ,'"_-]{1,200}$""",
    error=N_('Must be a CSS font-family list (letters, digits, spaces, quotes, "," "-" "_")'
             "."),
)
LINK_SCHEMES = ("http", "https", "mailto")


def check_locale(tag: Any) -> None:
    if not isinstance(tag, str) or not LOCALE.match(tag):
        raise ValidationError(N_("Not a valid locale tag (e.g. en, fr, fr-CA)."))


@cache
def _timezones() -> frozenset[str]:
    # Read from the system's tz database once (it lists ~600 files).
    return frozenset(zoneinfo.available_timezones())


def check_timezone(name: Any) -> None:
    """An IANA timezone name, exactly as the tz database spells it (e.g. Europe/Paris)."""
    if not isinstance(name, str) or (name != "UTC" and name not in _timezones()):
        raise ValidationError("Not a timezone of the IANA database (e.g. UTC, Europe/Paris, "
                              "America/New_York).")


def check_link(url: str, *, relative: bool = True) -> None:
    """Links authors put in front of users: relative, http(s) or mailto, nothing executable."""
    if not url or len(url) > 2000:
        raise ValidationError(N_("Must be 1-2000 characters."))
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        # Browsers strip tabs and newlines, so "java\tscript:" would still run.
        raise ValidationError(N_("Must not contain spaces or control characters; encode them "
                                 "(%20)."))
    if url.startswith("//"):
        raise ValidationError(N_('Protocol-relative URLs are not allowed; write "https://...".'))
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not scheme and not relative:
        raise ValidationError(N_("Must be an absolute http(s) or mailto URL."))
    if scheme and scheme not in LINK_SCHEMES:
        raise ValidationError(N_('Link scheme "%(scheme)s:" is not allowed; use a relative URL, '
                                 "http(s) or mailto.", scheme=scheme))
    if scheme in ("http", "https") and not parts.netloc:
        raise ValidationError(N_('"%(url)s" has no host; write "https://example.com/...".',
                                 url=url))


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
    """An audience rule, checked against the grammar in ``guide.schemas.audience``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        errors = rule_errors(value)
        if errors:
            raise ValidationError(errors)
        return value
