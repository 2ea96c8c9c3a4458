"""The bootstrap body's fast path (schemas/widget.py ``_plain_bootstrap``): it takes a
body only when marshmallow would load it, and loads it to the same dict; every other
body goes through the schema, so its 400 is the one it always was."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from guide.schemas.base import StrictSchema
from guide.schemas.widget import BootstrapIn, _plain_bootstrap

SCHEMA = BootstrapIn()
USER = {"id": "u1", "traits": {"plan": "pro", "seats": 3, "tags": ["a", "b"]}}

VALID: list[dict[str, Any]] = [
    {"app": "demo", "user": {"id": "u1"}},
    {"app": "demo", "user": USER, "account": None, "token": None, "url": None, "locale": None},
    {"app": "d" * 64, "user": {"id": "x" * 255, "traits": {}}, "account": {"id": "acme"},
     "token": "t" * 4096, "url": "/demo/dashboard", "preview": "p" * 1000, "locale": "fr-CA"},
    {"app": "demo", "user": USER, "account": {"id": "acme", "traits": {"size": 10}},
     "locale": "en"},
]

INVALID: list[Any] = [
    [], "demo", None,
    {"user": {"id": "u1"}},
    {"app": "", "user": {"id": "u1"}},
    {"app": "d" * 65, "user": {"id": "u1"}},
    {"app": 3, "user": {"id": "u1"}},
    {"app": "demo"},
    {"app": "demo", "user": {"id": ""}},
    {"app": "demo", "user": {"id": 42}},
    {"app": "demo", "user": {"id": "u1", "email": "a@b.c"}},
    {"app": "demo", "user": {"id": "u1", "traits": None}},
    {"app": "demo", "user": {"id": "u1", "traits": [1]}},
    {"app": "demo", "user": {"id": "u1", "traits": {f"t{i}": i for i in range(101)}}},
    {"app": "demo", "user": {"id": "u1", "traits": {"": 1}}},
    {"app": "demo", "user": {"id": "u1", "traits": {"big": "x" * 17_000}}},
    {"app": "demo", "user": {"id": "u1", "traits": {"n": float("nan")}}},
    {"app": "demo", "user": {"id": "u1\x00"}},
    {"app": "demo", "user": {"id": "u1"}, "account": {"id": ""}},
    {"app": "demo", "user": {"id": "u1"}, "account": "acme"},
    {"app": "demo", "user": {"id": "u1"}, "token": 7},
    {"app": "demo", "user": {"id": "u1"}, "token": "t" * 4097},
    {"app": "demo", "user": {"id": "u1"}, "url": "u" * 2001},
    {"app": "demo", "user": {"id": "u1"}, "preview": "p" * 1001},
    {"app": "demo", "user": {"id": "u1"}, "locale": "english please"},
    {"app": "demo", "user": {"id": "u1"}, "locale": 1},
    {"app": "demo", "user": {"id": "u1"}, "stat": 1},
]


@pytest.mark.parametrize("body", VALID)
def test_a_valid_body_takes_the_fast_path_and_loads_as_the_schema_would(body: dict) -> None:
    assert _plain_bootstrap(body) is not None
    assert SCHEMA.load(body) == StrictSchema.load(SCHEMA, body)


@pytest.mark.parametrize("body", INVALID)
def test_an_invalid_body_leaves_the_fast_path_and_gets_the_schemas_error(body: Any) -> None:
    assert _plain_bootstrap(body) is None
    with pytest.raises(ValidationError):
        SCHEMA.load(body)


def test_a_widget_bootstrap_is_loaded_without_marshmallow(client: Any, workspace: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from tests import factories

    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("marshmallow loaded a plain bootstrap body")

    monkeypatch.setattr(StrictSchema, "load", refuse)
    response = factories.bootstrap(client, workspace, "u1", url="/", locale="en")
    assert response.status_code == 200, response.get_json()
