"""Audience rules: who sees a guide, and URL globs.

The grammar (``rule_errors``) and its evaluator (``matches``) live together so
they cannot drift apart. Evaluation never raises: a rule stored in a guide
version must not break bootstrap for a user whose traits have odd types; a
comparison that makes no sense (``"abc" > 3``) is simply false.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

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

# ---------------------------------------------------------------- grammar


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool) or _is_number(value)


def _is_time(value: Any) -> bool:
    return isinstance(value, str) and parse_time(value, datetime.now(UTC)) is not None


_VALUE_CHECKS: dict[str, tuple[Any, str]] = {
    "eq": (_is_scalar, "must be a string, number, boolean or null"),
    "ne": (_is_scalar, "must be a string, number, boolean or null"),
    "in": (
        lambda v: isinstance(v, list) and 0 < len(v) <= 500 and all(map(_is_scalar, v)),
        "must be a list of 1 to 500 strings, numbers or booleans",
    ),
    "exists": (lambda v: isinstance(v, bool), "must be true or false"),
    "gt": (_is_number, "compares numbers; use before/after for dates"),
    "contains": (
        lambda v: isinstance(v, str | bool) or _is_number(v),
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


# ---------------------------------------------------------------- evaluation


def parse_time(value: Any, now: datetime) -> datetime | None:
    """An aware datetime from ISO text, a relative offset (``-14d``) or epoch seconds."""
    if _is_number(value):
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


def _equal(actual: Any, expected: Any) -> bool:
    """Equality without Python's ``True == 1``: types must agree (numbers with numbers)."""
    if _is_number(actual) and _is_number(expected):
        return bool(actual == expected)
    return type(actual) is type(expected) and actual == expected


def _compare(op: str, actual: Any, expected: Any, now: datetime) -> bool:
    if op in ("gt", "gte", "lt", "lte"):
        if not (_is_number(actual) and _is_number(expected)):
            return False
        return {"gt": actual > expected, "gte": actual >= expected,
                "lt": actual < expected, "lte": actual <= expected}[op]  # fmt: skip
    if op in ("before", "after"):
        left, right = parse_time(actual, now), parse_time(expected, now)
        if left is None or right is None:
            return False
        return left < right if op == "before" else left > right
    if op == "contains":
        if isinstance(actual, str) and isinstance(expected, str):
            return expected in actual
        return isinstance(actual, list) and any(_equal(item, expected) for item in actual)
    return False


def _trait_matches(rule: Mapping[str, Any], traits: Mapping[str, Any],
                   account_traits: Mapping[str, Any], now: datetime) -> bool:  # fmt: skip
    name = str(rule.get("trait", ""))
    source = traits
    if name.startswith(ACCOUNT_PREFIX):
        source, name = account_traits, name[len(ACCOUNT_PREFIX) :]
    present = name in source and source[name] is not None
    actual = source.get(name)
    op = next((key for key in rule if key in OPS), None)
    expected = rule.get(op) if op else None
    if op == "exists":
        return present == expected
    if op in ("eq", "ne"):
        # ne is exactly "not eq": a user without the trait is "not on the free plan".
        return _equal(actual, expected) == (op == "eq")
    if op in ("in", "not_in"):
        values = actual if isinstance(actual, list) else [actual]
        hit = isinstance(expected, list) and any(_equal(v, e) for v in values for e in expected)
        return hit == (op == "in")
    return present and op is not None and _compare(op, actual, expected, now)


class AnyPage:
    """``url`` for "on some page" (a completion names none): URL conditions are then
    neither true nor false, and only a rule that excludes the user on every page fails."""


ANY_PAGE = AnyPage()
Verdict = bool | None  # None: it depends on the page


def matches(
    rule: Mapping[str, Any] | None,
    traits: Mapping[str, Any],
    account_traits: Mapping[str, Any],
    url: str | AnyPage | None,
    now: datetime,
) -> bool:
    """Whether a user (traits, account traits, current page) is in a guide's audience.

    ``None`` means everyone. A URL rule without a known URL is false; with
    ``ANY_PAGE``, the user may be in it on some page (``all``, ``any`` and
    ``not`` over true, false and "depends on the page").
    """
    return _verdict(rule, traits, account_traits, url, now) is not False


def _verdict(rule: Any, traits: Mapping[str, Any], account_traits: Mapping[str, Any],
             url: str | AnyPage | None, now: datetime) -> Verdict:  # fmt: skip
    if rule is None:
        return True
    if not isinstance(rule, Mapping):
        return False
    try:
        if "all" in rule:
            return _all(_verdict(r, traits, account_traits, url, now) for r in rule["all"])
        if "any" in rule:
            return _not(_all(_not(_verdict(r, traits, account_traits, url, now))
                             for r in rule["any"]))  # fmt: skip
        if "not" in rule:
            return _not(_verdict(rule["not"], traits, account_traits, url, now))
        if "url" in rule:
            if isinstance(url, AnyPage):
                return None
            return url is not None and url_matches(str(rule["url"]), url)
        if "trait" in rule:
            return _trait_matches(rule, traits or {}, account_traits or {}, now)
    except (TypeError, ValueError, AttributeError, RecursionError):
        return False
    return False


def _all(verdicts: Iterable[Verdict]) -> Verdict:
    """False as soon as one is false; else None if one depends on the page; else True."""
    depends = False
    for verdict in verdicts:
        if verdict is False:
            return False
        depends = depends or verdict is None
    return None if depends else True


def _not(verdict: Verdict) -> Verdict:
    return None if verdict is None else not verdict


# ---------------------------------------------------------------- URL globs


@lru_cache(maxsize=1024)
def _path_regex(pattern: str) -> re.Pattern[str]:
    """``*`` within one segment, ``**`` across; ``/a/**`` also matches ``/a`` itself."""
    parts = re.split(r"(/\*\*/|/\*\*$|\*\*|\*)", pattern)
    tokens = {"/**/": "/(?:.*/)?", "/**": "(?:/.*)?", "**": ".*", "*": "[^/]*"}
    return re.compile("".join(tokens.get(part, re.escape(part)) for part in parts))


def _trim(path: str) -> str:
    # A trailing slash does not make another page.
    return path.rstrip("/") or "/"


def _query_matches(pattern_query: str, query: str) -> bool:
    """Every parameter in the pattern must be present with a matching value (order-free)."""
    actual = parse_qsl(query, keep_blank_values=True)
    for key, value_glob in parse_qsl(pattern_query, keep_blank_values=True):
        regex = re.compile(".*".join(re.escape(part) for part in value_glob.split("*")))
        if not any(k == key and regex.fullmatch(v) for k, v in actual):
            return False
    return True


def url_matches(pattern: str, url: str) -> bool:
    """Match a page URL (path and query, or a full URL) against a glob pattern.

    The query string is ignored unless the pattern has one; the fragment always is.
    """
    if not isinstance(pattern, str) or not isinstance(url, str):
        return False
    pattern_path, _, pattern_query = pattern.partition("?")
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    if not _path_regex(_trim(pattern_path.split("#")[0])).fullmatch(_trim(path)):
        return False
    return not pattern_query or _query_matches(pattern_query.split("#")[0], parts.query)
