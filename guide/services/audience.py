"""Audience rules: who sees a guide, and URL globs.

The evaluator (``matches``) of the grammar in ``guide.schemas.audience``
(``rule_errors``), with its operators and time values. Evaluation never
raises: a rule stored in a guide version must not break bootstrap for a user
whose traits have odd types; a comparison that makes no sense (``"abc" > 3``)
is simply false.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from guide.schemas.audience import ACCOUNT_PREFIX, OPS, is_number, parse_time

# ---------------------------------------------------------------- evaluation


def _equal(actual: Any, expected: Any) -> bool:
    """Equality without Python's ``True == 1``: types must agree (numbers with numbers)."""
    if is_number(actual) and is_number(expected):
        return bool(actual == expected)
    return type(actual) is type(expected) and actual == expected


def _compare(op: str, actual: Any, expected: Any, now: datetime) -> bool:
    if op in ("gt", "gte", "lt", "lte"):
        if not (is_number(actual) and is_number(expected)):
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
