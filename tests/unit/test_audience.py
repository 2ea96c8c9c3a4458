"""Audience rules: the grammar is strict, evaluation never raises."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from guide.schemas.audience import rule_errors
from guide.services.audience import ANY_PAGE, matches, url_matches

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def check(rule: dict[str, Any] | None, traits: dict[str, Any] | None = None,
          account: dict[str, Any] | None = None, url: Any = None) -> bool:  # fmt: skip
    return matches(rule, traits or {}, account or {}, url, NOW)


# ---------------------------------------------------------------- evaluation


def test_no_rule_means_everyone() -> None:
    assert check(None)


@pytest.mark.parametrize(
    ("rule", "traits", "expected"),
    [
        ({"trait": "plan", "eq": "pro"}, {"plan": "pro"}, True),
        ({"trait": "plan", "eq": "pro"}, {"plan": "Pro"}, False),
        ({"trait": "plan", "eq": "pro"}, {}, False),
        ({"trait": "admin", "eq": True}, {"admin": 1}, False),  # no True == 1
        ({"trait": "seats", "eq": 3}, {"seats": 3.0}, True),
        ({"trait": "plan", "ne": "free"}, {"plan": "pro"}, True),
        ({"trait": "plan", "ne": "free"}, {}, True),  # ne is exactly "not eq"
        ({"trait": "plan", "in": ["trial", "pro"]}, {"plan": "trial"}, True),
        ({"trait": "plan", "in": ["trial", "pro"]}, {"plan": "free"}, False),
        ({"trait": "roles", "in": ["admin"]}, {"roles": ["viewer", "admin"]}, True),
        ({"trait": "plan", "not_in": ["free"]}, {"plan": "pro"}, True),
        ({"trait": "plan", "not_in": ["free"]}, {"plan": "free"}, False),
        ({"trait": "email", "exists": True}, {"email": "a@b.c"}, True),
        ({"trait": "email", "exists": True}, {"email": None}, False),
        ({"trait": "email", "exists": False}, {}, True),
        ({"trait": "seats", "gt": 3}, {"seats": 4}, True),
        ({"trait": "seats", "gt": 3}, {"seats": 3}, False),
        ({"trait": "seats", "gte": 3}, {"seats": 3}, True),
        ({"trait": "seats", "lt": 3}, {"seats": 2.5}, True),
        ({"trait": "seats", "lte": 3}, {"seats": 4}, False),
        ({"trait": "email", "contains": "@acme."}, {"email": "ada@acme.com"}, True),
        ({"trait": "tags", "contains": "beta"}, {"tags": ["beta", "vip"]}, True),
        ({"trait": "tags", "contains": "beta"}, {"tags": "alpha"}, False),
        ({"trait": "signed_up", "before": "2026-01-01"}, {"signed_up": "2025-12-31"}, True),
        (
            {"trait": "signed_up", "after": "2026-01-01"},
            {"signed_up": "2025-12-31T23:00:00Z"},
            False,
        ),
        ({"trait": "signed_up", "after": "-14d"}, {"signed_up": "2026-01-10"}, True),
        ({"trait": "signed_up", "after": "-14d"}, {"signed_up": "2025-12-01"}, False),
        (
            {"trait": "trial_ends", "before": "+2h"},
            {"trial_ends": "2026-01-15T13:00:00+00:00"},
            True,
        ),
        ({"trait": "signed_up", "after": "-1w"}, {"signed_up": NOW.timestamp() - 3600}, True),
    ],
)
def test_trait_operators(rule: dict[str, Any], traits: dict[str, Any], expected: bool) -> None:
    assert rule_errors(rule) == {}
    assert check(rule, traits) is expected


@pytest.mark.parametrize(
    ("rule", "traits"),
    [
        ({"trait": "n", "gt": 3}, {"n": "abc"}),
        ({"trait": "n", "lt": 3}, {"n": True}),
        ({"trait": "n", "gte": 3}, {"n": None}),
        ({"trait": "n", "contains": "x"}, {"n": 42}),
        ({"trait": "n", "before": "2026-01-01"}, {"n": "not a date"}),
        ({"trait": "n", "after": "-1d"}, {"n": {"nested": 1}}),
        ({"trait": "n", "before": "2026-01-01"}, {"n": 10**20}),
    ],
)
def test_type_mismatches_are_false_not_errors(rule: dict[str, Any], traits: dict[str, Any]) -> None:
    assert check(rule, traits) is False


def test_account_traits_use_the_account_prefix() -> None:
    rule = {"trait": "account.plan", "eq": "enterprise"}
    assert check(rule, {"plan": "free"}, {"plan": "enterprise"})
    assert not check(rule, {"plan": "enterprise"}, {"plan": "free"})


def test_combinators() -> None:
    rule = {"all": [{"trait": "plan", "in": ["trial", "pro"]}, {"url": "/app/**"}]}
    assert check(rule, {"plan": "pro"}, url="/app/reports/1")
    assert not check(rule, {"plan": "free"}, url="/app/reports/1")
    assert not check(rule, {"plan": "pro"}, url="/settings")
    either = {"any": [{"trait": "plan", "eq": "pro"}, {"trait": "beta", "eq": True}]}
    assert check(either, {"beta": True})
    assert not check(either, {"plan": "free"})
    assert check({"not": {"trait": "plan", "eq": "free"}}, {"plan": "pro"})


def test_url_rule_without_a_url_is_false() -> None:
    assert not check({"url": "/**"}, url=None)
    assert check({"not": {"url": "/admin/**"}}, url="/app")


@pytest.mark.parametrize(
    ("rule", "plan", "expected"),
    [
        ({"url": "/app/**"}, "trial", True),
        ({"all": [{"trait": "plan", "eq": "pro"}, {"url": "/app/**"}]}, "trial", False),
        ({"all": [{"trait": "plan", "eq": "pro"}, {"url": "/app/**"}]}, "pro", True),
        # Offered on /pricing to anyone: dropping the URL condition would refuse the trial user.
        ({"any": [{"trait": "plan", "eq": "pro"}, {"url": "/pricing"}]}, "trial", True),
        ({"not": {"all": [{"trait": "plan", "eq": "trial"}, {"url": "/admin/**"}]}}, "trial", True),
        ({"not": {"any": [{"trait": "plan", "eq": "trial"}, {"url": "/admin/**"}]}}, "trial", False),
        ({"not": {"url": "/admin/**"}}, "trial", True),
    ],
)
def test_on_any_page_only_a_rule_that_excludes_the_user_everywhere_is_false(
        rule: dict[str, Any], plan: str, expected: bool) -> None:  # fmt: skip
    assert check(rule, {"plan": plan}, url=ANY_PAGE) is expected


def test_malformed_rules_do_not_raise_at_evaluation() -> None:
    assert not check({"all": "nope"})  # type: ignore[dict-item]
    assert not check({"weird": 1})
    assert not check("plan")  # type: ignore[arg-type]


# ---------------------------------------------------------------- grammar


def test_valid_rules_have_no_errors() -> None:
    rule = {
        "all": [
            {"trait": "plan", "in": ["trial", "pro"]},
            {"any": [{"url": "/app/**"}, {"not": {"trait": "account.seats", "lt": 2}}]},
            {"trait": "signed_up", "after": "-14d"},
            {"trait": "beta", "exists": True},
        ]
    }
    assert rule_errors(rule) == {}


EQ_VALUE = ("eq must be a string, number or boolean (for a trait that is not set, write "
            "exists: false).")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("plan", {"_schema": ["A rule must be a mapping: all, any, not, trait or url."]}),
        ({}, {"_schema": ["A rule needs exactly one of: all, any, not, trait, url."]}),
        (
            {"url": "/a", "trait": "x", "eq": 1},
            {
                "_schema": [
                    "A rule needs exactly one of: all, any, not, trait, url (found trait, url)."
                ]
            },
        ),
        ({"all": []}, {"all": ["Must be a non-empty list of rules."]}),
        ({"any": {"trait": "x"}}, {"any": ["Must be a non-empty list of rules."]}),
        (
            {"url": "app/**"},
            {"url": ['A URL pattern is a path starting with "/" (e.g. "/app/**").']},
        ),
        ({"url": "/a", "when": 1}, {"when": ["Unknown field."]}),
        ({"trait": "plan", "equals": "pro"}, {"equals": ["Unknown field."]}),
        (
            {"trait": "plan", "in": []},
            {"in": ["in must be a list of 1 to 500 strings, numbers or booleans."]},
        ),
        (
            {"trait": "plan", "in": "pro"},
            {"in": ["in must be a list of 1 to 500 strings, numbers or booleans."]},
        ),
        (
            {"trait": "seats", "gt": "3"},
            {"gt": ["gt compares numbers; use before/after for dates."]},
        ),
        ({"trait": "x", "exists": "yes"}, {"exists": ["exists must be true or false."]}),
        ({"trait": "x", "eq": [1]}, {"eq": [EQ_VALUE]}),
        # A value left out ({trait: plan, eq:}) is not "the trait is not set": exists says so.
        ({"trait": "plan", "eq": None}, {"eq": [EQ_VALUE]}),
        ({"trait": "plan", "ne": None}, {"ne": [
            "ne must be a string, number or boolean (for a trait that is set, write exists: "
            "true)."]}),
        ({"trait": "plan", "in": ["pro", None]},
         {"in": ["in must be a list of 1 to 500 strings, numbers or booleans."]}),
    ],
)
def test_grammar_errors(rule: Any, expected: dict[str, Any]) -> None:
    assert rule_errors(rule) == expected


def test_trait_names_are_checked() -> None:
    assert "Not a valid trait name" in rule_errors({"trait": "has space", "eq": 1})["trait"][0]
    assert rule_errors({"trait": "account.plan", "eq": 1}) == {}


def test_trait_rule_needs_exactly_one_operator() -> None:
    for rule in ({"trait": "plan"}, {"trait": "plan", "eq": "a", "ne": "b"}):
        assert list(rule_errors(rule)) == ["_schema"]
        assert "exactly one operator" in rule_errors(rule)["_schema"][0]


@pytest.mark.parametrize("value", ["14d", "-14 days", "2026-13-01", "yesterday", 14])
def test_bad_dates_are_rejected(value: Any) -> None:
    assert "before" in rule_errors({"trait": "signed_up", "before": value})


def test_nested_errors_keep_the_rule_shape() -> None:
    rule = {"all": [{"trait": "plan", "in": ["pro"]}, {"not": {"url": "x"}}]}
    assert rule_errors(rule) == {
        "all": {
            1: {"not": {"url": ['A URL pattern is a path starting with "/" (e.g. "/app/**").']}}
        }
    }


def test_nesting_depth_is_bounded() -> None:
    rule: dict[str, Any] = {"trait": "a", "exists": True}
    for _ in range(12):
        rule = {"not": rule}
    assert "nest at most" in str(rule_errors(rule))


# ---------------------------------------------------------------- URL globs


@pytest.mark.parametrize(
    ("pattern", "url", "expected"),
    [
        ("/demo/settings", "/demo/settings", True),
        ("/demo/settings", "/demo/settings/", True),  # trailing slash is the same page
        ("/demo/settings", "/demo/settings?tab=team#x", True),  # query ignored by default
        ("/demo/settings", "https://app.example.com/demo/settings", True),  # full URLs too
        ("/demo/settings", "/demo/settings/team", False),
        ("/app/*", "/app/reports", True),
        ("/app/*", "/app/reports/1", False),  # * stays within one segment
        ("/app/*/edit", "/app/42/edit", True),
        ("/app/**", "/app/reports/1", True),  # ** crosses segments
        ("/app/**", "/app", True),
        ("/app/**", "/application", False),
        ("/a/**/z", "/a/z", True),
        ("/a/**/z", "/a/b/c/z", True),
        ("/reports/*.pdf", "/reports/q1.pdf", True),
        ("/reports/*.pdf", "/reports/q1xpdf", False),  # regex characters are literal
        ("/search?tab=team", "/search?q=x&tab=team", True),  # query checked when given
        ("/search?tab=team", "/search?tab=billing", False),
        ("/search?tab=*", "/search?tab=anything", True),
        ("/search?tab=*", "/search", False),
        ("/", "/", True),
        ("/**", "/anything/at/all", True),
    ],
)
def test_url_matches(pattern: str, url: str, expected: bool) -> None:
    assert url_matches(pattern, url) is expected


def test_url_matches_tolerates_non_strings() -> None:
    assert url_matches("/a", None) is False  # type: ignore[arg-type]
