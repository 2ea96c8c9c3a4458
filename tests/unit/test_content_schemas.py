"""The content schemas: what a valid guide or workspace is, and what gets stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from marshmallow import ValidationError

from guide.schemas.content import GuideFileSchema, WorkspaceFileSchema


def guide(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": "getting-started",
        "kind": "checklist",
        "title": {"en": "Get set up", "fr": "Prêt"},
        "steps": [{"id": "welcome", "title": "Say hello"}],
    }
    data.update(overrides)
    return data


def step(**overrides: Any) -> dict[str, Any]:
    return {"id": "connect-data", "title": "Connect", **overrides}


def errors(data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as info:
        GuideFileSchema().load(data)
    return info.value.messages_dict


def test_body_is_normalized_and_json_serializable() -> None:
    body = GuideFileSchema().load(guide())
    assert body == {
        "key": "getting-started",
        "kind": "checklist",
        "title": {"en": "Get set up", "fr": "Prêt"},
        "priority": 0,
        "steps": [
            {
                "id": "welcome",
                "title": "Say hello",
                "complete_when": {"manual": True},
                "scope": "user",
            }
        ],
    }
    assert json.loads(json.dumps(body)) == body


def test_localized_strings_keep_the_authors_shape() -> None:
    body = GuideFileSchema().load(guide(title="Plain", description={"en": "A", "fr-CA": "B"}))
    assert body["title"] == "Plain"
    assert body["description"] == {"en": "A", "fr-CA": "B"}


@pytest.mark.parametrize(
    ("rule", "normalized"),
    [
        ("manual", {"manual": True}),
        ({"manual": True}, {"manual": True}),
        ({"event": "integration_connected"}, {"event": "integration_connected"}),
        ({"url": "/settings/**"}, {"url": "/settings/**"}),
    ],
)
def test_complete_when_is_normalized(rule: Any, normalized: dict[str, Any]) -> None:
    body = GuideFileSchema().load(guide(steps=[step(complete_when=rule)]))
    assert body["steps"][0]["complete_when"] == normalized


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "auto",
            ['Must be "manual", {event: NAME}, {url: PATTERN}, {tour: KEY} or {manual: true}.'],
        ),
        ({}, {"_schema": ["Needs exactly one of: event, url, tour, manual."]}),
        ({"event": "a", "url": "/b"}, {"_schema": ["Needs exactly one of: event, url, tour, manual."]}),
        ({"manual": False}, {"manual": ["manual: false is not a rule; use event, url or tour."]}),
        (
            {"url": "settings"},
            {"url": ['A URL pattern is a path starting with "/" (e.g. "/app/**").']},
        ),
        ({"evnt": "x"}, {"evnt": ["Unknown field."]}),
    ],
)
def test_bad_complete_when(rule: Any, expected: dict[str, Any]) -> None:
    assert errors(guide(steps=[step(complete_when=rule)])) == {
        "steps": {0: {"complete_when": expected}}
    }


def test_defaults_and_options_survive() -> None:
    body = GuideFileSchema().load(
        guide(
            priority=5,
            milestone="activated",
            audience={"trait": "plan", "in": ["pro"]},
            steps=[
                step(
                    scope="account",
                    help="connect-data-sources",
                    body="**Hi**",
                    action={"label": {"en": "Open"}, "url": "/settings"},
                )
            ],  # fmt: skip
        )
    )
    assert body["priority"] == 5 and body["milestone"] == "activated"
    assert body["audience"] == {"trait": "plan", "in": ["pro"]}
    assert body["steps"][0]["scope"] == "account"
    assert body["steps"][0]["action"] == {"label": {"en": "Open"}, "url": "/settings"}


@pytest.mark.parametrize("key", ["Getting-Started", "-start", "has space", "a" * 101, ""])
def test_bad_slugs(key: str) -> None:
    assert "key" in errors(guide(key=key))


def test_duplicate_step_ids() -> None:
    steps = [step(id="a"), step(id="b"), step(id="a")]
    assert errors(guide(steps=steps)) == {
        "steps": {2: {"id": ['Duplicate step id "a" (also steps[0]).']}}
    }


def test_step_count_is_bounded() -> None:
    assert "steps" in errors(guide(steps=[]))
    many = [step(id=f"s{i}") for i in range(51)]
    assert errors(guide(steps=many)) == {"steps": ["A guide has 1 to 50 steps."]}


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>",
        "vbscript:x",
        "java\tscript:alert(1)",
        "//evil.example.com",
        "https://",
        "file:///etc/passwd",
    ],
)
def test_bad_action_links(url: str) -> None:
    assert (
        "url"
        in errors(guide(steps=[step(action={"label": "Go", "url": url})]))["steps"][0]["action"]
    )


@pytest.mark.parametrize(
    "url", ["/settings", "settings#team", "?tab=1", "https://example.com/x", "mailto:a@b.c"]
)
def test_good_action_links(url: str) -> None:
    GuideFileSchema().load(guide(steps=[step(action={"label": "Go", "url": url})]))


def test_checklists_carry_no_tour_fields() -> None:
    steps = [step(target="#save", placement="top")]
    assert errors(guide(steps=steps)) == {
        "steps": {0: {
            "target": ["Only tour steps have target; remove it or use kind: tour."],
            "placement": ["Only tour steps have placement; remove it or use kind: tour."],
        }}
    }  # fmt: skip


def test_tours_accept_tour_fields_loosely() -> None:
    steps = [step(target="#save", placement="auto", advance_on="click")]
    body = GuideFileSchema().load(guide(kind="tour", steps=steps))
    assert body["steps"][0]["target"] == "#save"
    assert "placement" in errors(guide(kind="tour", steps=[step(placement="middle")]))["steps"][0]


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "Must be a non-empty string"),
        (42, "Must be a string or a map of locale to string"),
        ({}, "Must have at least one translation"),
        ({"fr_CA": "x"}, "Not a valid locale tag"),
        ({"en": 5}, "Must be a non-empty string"),
    ],
)
def test_bad_localized_strings(title: Any, message: str) -> None:
    assert message in str(errors(guide(title=title))["title"])


def test_strict_types() -> None:
    assert "priority" in errors(guide(priority="1"))
    assert "priority" in errors(guide(priority=True))
    assert "scope" in errors(guide(steps=[step(scope="team")]))["steps"][0]


def test_unknown_fields_are_errors_at_every_level() -> None:
    data = guide(titel="x", steps=[step(actoin={}, action={"label": "a", "url": "/", "x": 1})])
    assert errors(data) == {
        "titel": ["Unknown field."],
        "steps": {0: {"actoin": ["Unknown field."], "action": {"x": ["Unknown field."]}}},
    }


def test_audience_grammar_errors_are_nested() -> None:
    data = guide(audience={"all": [{"trait": "plan", "in": []}]})
    assert errors(data) == {
        "audience": {
            "all": {0: {"in": ["in must be a list of 1 to 500 strings, numbers or booleans."]}}
        }
    }


def test_an_audience_comparing_with_a_value_left_out_is_refused() -> None:
    # YAML ``{trait: plan, eq:}``: the value was left out, not "the plan is not set".
    data = guide(audience={"trait": "plan", "eq": None})
    assert list(errors(data)) == ["audience"]
    assert "exists: false" in errors(data)["audience"]["eq"][0]


# ---------------------------------------------------------------- workspace


def workspace(**overrides: Any) -> dict[str, Any]:
    return {"key": "demo", "name": "Demo", **overrides}


def test_workspace_defaults() -> None:
    assert WorkspaceFileSchema().load(workspace()) == {
        "key": "demo",
        "name": "Demo",
        "default_locale": "en",
        "allowed_origins": [],
        "require_identity": False,
        "allow_unsigned_groups": False,
        "identity_token_max_age": 86400,
        "help_enabled": True,
        "events_retention_days": None,
        "timezone": "UTC",
        "support_url": None,
        "theme": {},
        "survey_cap_days": 7,
    }


def test_origins_are_normalized() -> None:
    data = WorkspaceFileSchema().load(workspace(allowed_origins=["HTTP://LocalHost:3000/"]))
    assert data["allowed_origins"] == ["http://localhost:3000"]


@pytest.mark.parametrize(
    "origin", ["localhost:3000", "ftp://x.com", "https://x.com/app", "https://x.com?a", "*"]
)
def test_bad_origins(origin: str) -> None:
    with pytest.raises(ValidationError) as info:
        WorkspaceFileSchema().load(workspace(allowed_origins=[origin]))
    assert info.value.messages_dict == {
        "allowed_origins": {0: [f'"{origin}" is not an origin; write scheme://host[:port].']}
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("support_url", "javascript:alert(1)"),
        ("support_url", "/relative"),
        ("require_identity", "yes"),
        ("default_locale", "english"),
        ("theme", {"accent": "red"}),
        ("theme", {"radius": 99}),
        ("theme", {"font": "x; background: url(evil)"}),
        ("theme", {"colour": "#fff"}),
        ("key", "Demo"),
    ],
)
def test_bad_workspace_settings(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as info:
        WorkspaceFileSchema().load(workspace(**{field: value}))
    assert field in info.value.messages_dict
