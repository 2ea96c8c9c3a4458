"""The envelopes' plain path (guide.schemas.widget) loads exactly what marshmallow loads.

A plainly valid envelope skips marshmallow's field machinery; every other one
must still get marshmallow's answer. For each payload below, the schema's
``load`` (plain path first) and the bare marshmallow load give the same envelope
or the same error messages.
"""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import Schema, ValidationError

from guide.schemas import widget
from guide.schemas.widget import ENVELOPE_SCHEMAS

ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
AT = "2026-12-06T15:00:00.123Z"

VALID = [
    ("step:complete", {"id": ID, "guide": "getting-started", "step": "welcome"}),
    ("step:complete", {"id": ID, "guide": "g", "step": "s_1", "at": AT}),
    ("step:complete", {"id": ID, "guide": "g", "step": "s", "at": "2026-12-06T15:00:00+02:00"}),
    ("step:complete", {"id": ID, "guide": "g", "step": "s", "at": None}),
    ("step:complete", {"id": ID, "guide": "g\n", "step": "s"}),  # the validator's own "$"
    ("guide:state", {"id": ID, "guide": "tour", "state": "dismissed"}),
    ("guide:state", {"id": ID, "guide": "tour", "state": "active", "step": "two", "at": AT}),
    ("guide:state", {"id": ID, "guide": "tour", "state": "snoozed", "step": None}),
    ("event:track", {"id": ID, "name": "$page", "url": "https://app.example/x", "props": {}}),
    ("event:track", {"id": ID, "name": "integration_connected"}),
    ("event:track", {"id": ID, "name": "imported", "props": {"rows": 3, "ok": [1, {"a": None}]},
                     "url": None, "at": AT}),
]

INVALID = [
    ("step:complete", {"guide": "g", "step": "s"}),  # no id
    ("step:complete", {"id": "short", "guide": "g", "step": "s"}),
    ("step:complete", {"id": None, "guide": "g", "step": "s"}),
    ("step:complete", {"id": 12345678, "guide": "g", "step": "s"}),
    ("step:complete", {"id": ID, "guide": "Not A Slug", "step": "s"}),
    ("step:complete", {"id": ID, "guide": "g"}),  # no step
    ("step:complete", {"id": ID, "guide": "g", "step": None}),
    ("step:complete", {"id": ID, "guide": "g", "step": "s", "extra": 1}),
    ("step:complete", {"id": ID, "guide": "g", "step": "s", "at": "yesterday"}),
    ("step:complete", {"id": ID, "guide": "g", "step": "s", "at": "2026-12-06T15:00:00"}),
    ("step:complete", {"id": ID, "guide": "g", "step": "s", "at": 1733497200}),
    ("step:complete", {"id": ID, "guide": "g", "step": "s", "at": "2026-12-06T15:00:00\x00Z"}),
    ("step:complete", {"id": ID, "guide": "g", "step": "s\ud800"}),
    ("guide:state", {"id": ID, "guide": "tour", "state": "finished"}),
    ("guide:state", {"id": ID, "guide": "tour", "state": ["active"]}),
    ("guide:state", {"id": ID, "guide": "tour", "state": "active", "step": "Bad Step"}),
    ("event:track", {"id": ID, "name": "bad\x00name"}),
    ("event:track", {"id": ID, "name": ""}),
    ("event:track", {"id": ID, "name": "x", "props": []}),
    ("event:track", {"id": ID, "name": "x", "props": {str(i): i for i in range(51)}}),
    ("event:track", {"id": ID, "name": "x", "props": {"k": "v" * 17000}}),
    ("event:track", {"id": ID, "name": "x", "props": {"k": float("nan")}}),
    ("event:track", {"id": ID, "name": "x", "props": {"k": 2**70}}),
    ("event:track", {"id": ID, "name": "x", "url": "u" * 2001}),
    ("event:track", {"id": ID, "name": "x", "url": 5}),
    ("help:escalate", {"id": ID, "message": " ", "severity": "blocked"}),
]


def marshmallow_load(kind: str, data: Any) -> Any:
    """The schema's load without the plain path (marshmallow's own ``Schema.load``)."""
    schema = ENVELOPE_SCHEMAS[kind]()
    try:
        return Schema.load(schema, data)
    except ValidationError as err:
        return ("error", err.messages)


def guide_load(kind: str, data: Any) -> Any:
    try:
        return ENVELOPE_SCHEMAS[kind]().load(data)
    except ValidationError as err:
        return ("error", err.messages)


@pytest.mark.parametrize(("kind", "data"), VALID)
def test_a_plainly_valid_envelope_loads_on_the_plain_path_as_marshmallow_loads_it(kind, data):
    plain = widget._plain_envelope(ENVELOPE_SCHEMAS[kind], data)
    assert plain is not None, "this envelope should take the plain path"
    assert plain == marshmallow_load(kind, data)
    assert guide_load(kind, data) == marshmallow_load(kind, data)


@pytest.mark.parametrize(("kind", "data"), INVALID)
def test_a_bad_envelope_gets_marshmallows_error(kind, data):
    assert widget._plain_envelope(ENVELOPE_SCHEMAS[kind], data) is None
    expected = marshmallow_load(kind, data)
    assert expected[0] == "error"
    assert guide_load(kind, data) == expected


def test_load_options_take_the_schema_path():
    data = {"id": ID, "guide": "g"}
    assert ENVELOPE_SCHEMAS["step:complete"]().load(data, partial=True) == {"id": ID, "guide": "g"}
