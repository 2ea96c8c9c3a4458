"""The envelopes' plain path (guide.schemas.plain_envelopes) loads what marshmallow loads.

A plainly valid envelope skips marshmallow's field machinery
(guide.usecases.envelopes); every other one must still get marshmallow's
answer. For each payload below, the plain path gives None or the very envelope
the schema loads, and a bad one always gives None (so marshmallow's error)."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from guide.schemas.plain_envelopes import plain_envelope
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
    try:
        return ENVELOPE_SCHEMAS[kind]().load(data)
    except ValidationError as err:
        return ("error", err.messages)


@pytest.mark.parametrize(("kind", "data"), VALID)
def test_a_plainly_valid_envelope_loads_on_the_plain_path_as_marshmallow_loads_it(kind, data):
    plain = plain_envelope(ENVELOPE_SCHEMAS[kind], data)
    assert plain is not None, "this envelope should take the plain path"
    assert plain == marshmallow_load(kind, data)


@pytest.mark.parametrize(("kind", "data"), INVALID)
def test_a_bad_envelope_leaves_the_plain_path_for_marshmallows_error(kind, data):
    assert plain_envelope(ENVELOPE_SCHEMAS[kind], data) is None
    assert marshmallow_load(kind, data)[0] == "error"
