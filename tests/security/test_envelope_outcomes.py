"""An envelope never fails forever (issue 12): every answer is final or worth a retry.

The widget resends an envelope only on ``rate_limited``, ``internal_error`` and
``socket_token_*`` (static/widget/src/client.ts, ``RETRIED``); any other code
makes it drop the envelope and report it. So the server keeps ``internal_error``
for failures a retry can cure (the database unreachable, busy or racing) and
answers anything else that escapes an envelope, a bug meeting this payload,
with the permanent ``envelope_failed``. Events about guides that are not
published are recorded and ignored, and a help request about one still reaches
support.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from guide.extensions import db
from guide.models import Escalation, Event
from guide.services.unit import Context
from guide.usecases import envelopes
from guide.usecases.envelopes import handle
from tests.proactive.conftest import make_user


def send(ws: Any, user: Any, kind: str, **data: Any) -> dict[str, Any]:
    return handle(Context(ws, user), kind, {"id": str(uuid.uuid4()), **data})


def recorded() -> int:
    return db.session.scalar(db.select(db.func.count(Event.id))) or 0


@pytest.mark.parametrize("error,code", [
    # A bug meeting this payload: the same failure every time.
    (KeyError("unpublished-guide"), "envelope_failed"),
    (TypeError("bad props"), "envelope_failed"),
    (RecursionError(), "envelope_failed"),
    (sa.exc.DataError("INSERT", {}, Exception("invalid byte sequence")), "envelope_failed"),
    # The database failing for now: a retry can cure it.
    (sa.exc.OperationalError("SELECT", {}, Exception("database is locked")), "internal_error"),
    (sa.exc.InterfaceError("SELECT", {}, Exception("connection closed")), "internal_error"),
    (sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key on progress")),
     "internal_error"),
    (ConnectionResetError(), "internal_error"),
], ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else value)
def test_a_failure_is_final_unless_a_retry_can_cure_it(monkeypatch, open_workspace, error, code):
    user = make_user(open_workspace)

    def apply(*_: Any) -> None:
        raise error

    monkeypatch.setitem(envelopes.APPLY, "event:track", apply)
    ack = send(open_workspace, user, "event:track", name="clicked")
    assert ack["ok"] is False and ack["error"]["code"] == code, ack
    if code == "envelope_failed":
        assert "Do not resend" in ack["error"]["message"]
    assert recorded() == 0


# What the widget sends on its own (docs/PROTOCOL.md sections 2 and 5), about guides,
# steps, articles and nudges that do not exist: the demo content's scenarios listen to
# $help_open (help-loop) and $target_missing (tour-broken).
SYSTEM_EVENTS = [
    ("$target_missing", {"guide": "renamed-tour", "step": "one", "selector": "#gone"}),
    ("$target_missing", {"guide": "dashboard-tour", "step": "removed-step", "selector": "#x"}),
    ("$target_missing", {"guide": 12, "step": None}),
    ("$help_open", {"guide": "renamed-guide", "step": "one", "article": "gone"}),
    ("$help_open", {"guide": "getting-started", "step": "removed-step", "article": None}),
    ("$nudge_opened", {"nudge": 999999, "scenario": "removed-scenario"}),
    ("$nudge_dismissed", {"nudge": "not-a-number", "scenario": None}),
    ("$queue_dropped", {"count": "many"}),
]


@pytest.mark.parametrize("name,props", SYSTEM_EVENTS)
def test_system_events_about_unknown_guides_are_recorded_and_ignored(workspace, name, props):
    user = make_user(workspace, "tab-from-yesterday")
    acks = [send(workspace, user, "event:track", name=name, props=props, url="/app")
            for _ in range(3)]  # three: help-loop counts repeats
    assert all(ack["ok"] for ack in acks), acks
    assert recorded() == 3


@pytest.mark.parametrize("fields", [
    {"guide": "renamed-tour", "step": "one"},
    {"guide": "getting-started", "step": "removed-step"},
], ids=["unpublished guide", "unpublished step"])
def test_a_help_request_about_a_guide_not_published_reaches_support(workspace, fields):
    """Refused with unknown_guide before: the user's message was dropped."""
    user = make_user(workspace, "stuck")
    ack = send(workspace, user, "help:escalate", message="The tour lost me", severity="blocked",
               url="/app", **fields)
    assert ack["ok"] is True, ack
    escalation = db.session.scalars(db.select(Escalation)).one()
    assert (escalation.guide_key, escalation.step_id) == (fields["guide"], fields["step"])
    assert escalation.context["guide"]["key"] == fields["guide"]
    assert escalation.context["guide"]["step"]["id"] == fields["step"]
