"""The grammar of audience rules: what a stored rule may say (``rule_errors``).

A building block of the content schemas; ``guide.services.audience`` evaluates
rules that passed it, with the same operators and time values (``parse_time``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

OPS = (
    "eq", "ne", "in", "not_in", "exists", "gt", "gte", "lt", "lte", "contains", "before", "after",
)  # fmt: skip
COMBINATORS = ("all", "any", "not")
RULE_KEYS = (*COMBINATORS, "trait", "url")
ACCOUNT_PREFIX = "account."
MAX_DEPTH = 8
MAX_ITEMS = 50
TRAIT_NAME = re.compile(r"^(account\.)?[A-Za-z0-9_$][A-Za-z0-9_.$:-]{0,99}$")
RELATIVE_TIME = re.compile(r"^([+-])(\d{1,6})([mhdw])$")
TIME_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_scalar(value: Any) -> bool:
    """A value to compare with: null is not one (``{trait: plan, eq:}`` is a value left out;
    a trait that is not set is ``exists: false``)."""
    return isinstance(value, str | bool) or is_number(value)


def _is_time(value: Any) -> bool:
    return isinstance(value, str) and parse_time(value, datetime.now(UTC)) is not None


_VALUE_CHECKS: dict[str, tuple[Any, str]] = {
    "eq": (_is_scalar, "must be a string, number or boolean (for a trait that is not set, "
                       "write exists: false)"),
    "ne": (_is_scalar, "must be a string, number or boolean (for a trait that is set, "
                       "write exists: true)"),
    "in": (
        lambda v: isinstance(v, list) and 0 < len(v) <= 500 and all(map(_is_scalar, v)),
        "must be a list of 1 to 500 strings, numbers or booleans",
    ),
    "exists": (lambda v: isinstance(v, bool), "must be true or false"),
    "gt": (is_number, "compares numbers; use before/after for dates"),
    "contains": (
        lambda v: isinstance(v, str | bool) or is_number(v),
        "must be a string, number or boolean",
    ),
    "before": (
        _is_time,
        'must be an ISO date or datetime ("2025-01-31", "2025-01-31T09:00:00Z") '
        'or a time relative to now ("-14d", "+2h"; units m, h, d, w)',
    ),
}
_ALIASES = {"not_in": "in", "gte": "gt", "lt": "gt", "lte": "gt", "after": "before"}
_VALUE_CHECKS.update({alias: _VALUE_CHECKS[same] for alias, same in _ALIASES.items()})


def _trait_errors(rule: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    name = rule["trait"]
    if not isinstance(name, str) or not TRAIT_NAME.match(name):
        errors["trait"] = [
            "Not a valid trait name (letters, digits, _ . - $ :; prefix account. "
            "for account traits)."
        ]
    ops = [key for key in rule if key != "trait"]
    for key in ops:
        if key not in OPS:
            errors[key] = ["Unknown field."]
        else:
            check, message = _VALUE_CHECKS[key]
            if not check(rule[key]):
                errors[key] = [f"{key} {message}."]
    if len([key for key in ops if key in OPS]) != 1 and not errors:
        errors["_schema"] = [f"A trait rule needs exactly one operator, one of: {', '.join(OPS)}."]
    return errors


def _list_errors(items: Any, depth: int) -> dict[Any, Any] | list[str]:
    if not isinstance(items, list) or not items:
        return ["Must be a non-empty list of rules."]
    if len(items) > MAX_ITEMS:
        return [f"At most {MAX_ITEMS} rules."]
    nested = {index: rule_errors(item, depth + 1) for index, item in enumerate(items)}
    return {index: errors for index, errors in nested.items() if errors}


def rule_errors(rule: Any, depth: int = 0) -> dict[Any, Any]:
    """Check a rule against the grammar; return marshmallow-shaped errors ({} if valid).

    Keys mirror the rule's own shape (``{"all": {1: {"in": [...]}}}``) so the
    content loader can point at the exact line; ``_schema`` means the rule itself.
    """
    if depth > MAX_DEPTH:
        return {"_schema": [f"Rules nest at most {MAX_DEPTH} levels deep."]}
    if not isinstance(rule, Mapping):
        return {"_schema": ["A rule must be a mapping: all, any, not, trait or url."]}
    kinds = [key for key in RULE_KEYS if key in rule]
    if len(kinds) != 1:
        found = f" (found {', '.join(kinds)})" if kinds else ""
        return {"_schema": [f"A rule needs exactly one of: {', '.join(RULE_KEYS)}{found}."]}
    kind = kinds[0]
    if kind == "trait":
        return _trait_errors(rule)
    errors: dict[Any, Any] = {key: ["Unknown field."] for key in rule if key != kind}
    if kind == "not":
        nested: Any = rule_errors(rule["not"], depth + 1)
    elif kind == "url":
        pattern = rule["url"]
        ok = isinstance(pattern, str) and pattern.startswith("/") and len(pattern) <= 2000
        nested = [] if ok else ['A URL pattern is a path starting with "/" (e.g. "/app/**").']
    else:
        nested = _list_errors(rule[kind], depth)
    if nested:
        errors[kind] = nested
    return errors


def has_url(rule: Any) -> bool:
    """Whether a rule has a ``url`` condition anywhere (where no page is known, it is refused)."""
    if not isinstance(rule, Mapping):
        return False
    if "url" in rule:
        return True
    return has_url(rule.get("not")) or any(
        has_url(item) for key in ("all", "any") for item in rule.get(key) or [])


def parse_time(value: Any, now: datetime) -> datetime | None:
    """An aware datetime from ISO text, a relative offset (``-14d``) or epoch seconds."""
    if is_number(value):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    relative = RELATIVE_TIME.match(value.strip())
    if relative:
        sign, amount, unit = relative.groups()
        delta = timedelta(**{TIME_UNITS[unit]: int(amount)})
        return now + delta if sign == "+" else now - delta
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
