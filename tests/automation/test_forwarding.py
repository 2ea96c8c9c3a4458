"""Event forwarding (docs/INTEGRATIONS.md): Guide's events, from the moment it is turned on,
queued by the worker as Segment track calls in batches and delivered through the outbox
with its retries to a real local receiver, checked against Segment's batch format."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import pytest

from guide import worker
from guide.automation import forwarding as forward
from guide.extensions import db
from guide.models import IntegrationSettings, OutboxMessage
from guide.models.base import utcnow
from guide.services import forwarding
from tests import factories
from tests.api.test_surveys import send, track
from tests.automation.receivers import webhook_receiver
from tests.automation.test_outbox import Clock, messages
from tests.support_helpers import escalate_payload

KEY = "wk_live_secret0123"
CALL_KEYS = {"type", "messageId", "userId", "event", "timestamp", "context", "properties"}


@pytest.fixture
def collector(app):
    """A Segment-compatible collector on 127.0.0.1 (plain http allowed for the tests)."""
    app.config["GUIDE_WEBHOOK_ALLOW_PRIVATE"] = True
    with webhook_receiver() as receiver:
        yield receiver


@pytest.fixture
def quick(open_workspace):
    factories.publish(open_workspace, factories.checklist_body(
        "quick", milestone="first-win",
        steps=[{"id": "hello", "title": "Say hello", "complete_when": {"manual": True}}]))
    return open_workspace


def later() -> Clock:
    clock = Clock()
    clock.now += timedelta(minutes=5)  # past SETTLE for everything written by the test
    return clock


def check_batch(body: dict) -> None:
    """Segment's HTTP Tracking API batch (segment.com/docs/connections/sources/catalog/
    libraries/server/http-api/#batch): track calls with a userId, an ISO-8601 timestamp,
    a messageId, properties, and a sentAt."""
    assert set(body) == {"batch", "sentAt"} and body["batch"]
    for call in body["batch"]:
        assert set(call) == CALL_KEYS, call
        assert call["type"] == "track" and call["userId"] and call["event"]
        assert isinstance(call["properties"], dict) and isinstance(call["context"], dict)
        assert datetime.fromisoformat(call["timestamp"]).utcoffset() == timedelta(0)
        assert len(json.dumps(call)) < 32_000  # Segment's limit per call
    assert datetime.fromisoformat(body["sentAt"]).tzinfo is not None


def test_events_from_the_moment_it_is_on_reach_the_collector_as_track_calls(client, quick, collector):
    token = factories.socket_token(client, quick, "ada", account={"id": "acme"})
    track(client, token, "$guide_shown", guide="quick")  # before: never forwarded
    forwarding.configure("tests", quick, KEY, collector.url)
    track(client, token, "$guide_shown", guide="quick")
    send(client, token, "step:complete", guide="quick", step="hello")
    send(client, token, "help:escalate", **{k: v for k, v in escalate_payload().items() if k != "id"})
    clock = later()
    assert forward.forward_due(now=utcnow()) == 0  # not settled yet
    assert forward.forward_due(now=clock.now) >= 3
    [row] = [m for m in messages() if m.kind == "segment"]
    assert KEY not in json.dumps(row.payload)
    assert forward.forward_due(now=clock.now) == 0  # the cursor moved: nothing twice
    worker.process_due(clock=clock)
    [request] = collector.requests
    assert request.headers["authorization"] == "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    body = json.loads(request.body)
    check_batch(body)
    events = [(c["event"], c["properties"]) for c in body["batch"]]
    assert [e for e, _ in events] == ["Guide Seen", "Milestone Reached", "Step Completed",
                                      "Guide Completed", "Escalation Opened"]
    assert events[0][1] == {"guide": "quick", "account": "acme"}
    assert events[1][1] == {"milestone": "first-win", "account": "acme"}
    assert events[2][1] == {"guide": "quick", "step": "hello", "account": "acme"}
    assert events[3][1] == {"guide": "quick", "account": "acme"}
    assert events[4][1]["severity"] == "blocked" and events[4][1]["reference"].startswith("ESC-")
    assert {c["userId"] for c in body["batch"]} == {"ada"}
    assert body["batch"][0]["context"]["groupId"] == "acme"
    assert len({c["messageId"] for c in body["batch"]}) == len(body["batch"])


def test_a_failed_batch_is_retried_with_the_same_message_ids(client, quick, collector):
    collector.statuses = [502, 200]
    forwarding.configure("tests", quick, KEY, collector.url)
    token = factories.socket_token(client, quick, "ada")
    send(client, token, "step:complete", guide="quick", step="hello")
    clock = later()
    forward.forward_due(now=clock.now)
    worker.process_due(clock=clock)
    [row] = [m for m in messages() if m.kind == "segment"]
    assert (row.status, row.last_error) == ("failed", "HTTP 502: ok")
    clock.now = row.next_attempt_at
    worker.process_due(clock=clock)
    assert [m.status for m in messages() if m.kind == "segment"] == ["delivered"]
    first, second = (json.loads(r.body)["batch"] for r in collector.requests)
    assert [c["messageId"] for c in first] == [c["messageId"] for c in second]


def test_a_long_backlog_is_split_into_batches_and_rounds(client, quick, collector, monkeypatch):
    monkeypatch.setattr(forward, "READ", 4)
    monkeypatch.setattr(forward, "CALLS", 3)
    forwarding.configure("tests", quick, KEY, collector.url)
    token = factories.socket_token(client, quick, "ada")
    for _ in range(10):
        track(client, token, "$guide_shown", guide="quick")
    clock = later()
    assert forward.forward_due(now=clock.now, max_batches=2) == 8
    assert [len(m.payload["batch"]) for m in messages()] == [3, 1, 3, 1]
    assert forward.forward_due(now=clock.now) == 2
    ids = [c["messageId"] for m in messages() for c in m.payload["batch"]]
    assert len(ids) == len(set(ids)) == 10


def test_turning_forwarding_off_stops_the_queue_and_kills_what_waits(client, quick, collector):
    forwarding.configure("tests", quick, KEY, collector.url)
    token = factories.socket_token(client, quick, "ada")
    track(client, token, "$guide_shown", guide="quick")
    clock = later()
    forward.forward_due(now=clock.now)
    forwarding.configure("tests", quick, None, collector.url)
    track(client, token, "$guide_shown", guide="quick")
    assert forward.forward_due(now=clock.now + timedelta(minutes=5)) == 0
    worker.process_due(clock=clock)
    [row] = messages()
    assert (row.status, row.last_error) == (
        "dead", "event forwarding is no longer configured for the workspace")
    assert collector.requests == []
    assert db.session.get(IntegrationSettings, quick.id).forward_write_key is None


def test_the_default_endpoint_is_segments(app, quick):
    forwarding.configure("tests", quick, KEY)
    assert forwarding.view(quick) == {"enabled": True, "write_key": "••••••••0123",
                                      "url": "https://api.segment.io/v1/batch",
                                      "default_url": "https://api.segment.io/v1/batch"}
    assert db.session.scalars(db.select(OutboxMessage)).all() == []


class Row:
    def __init__(self, type: str, name: str = "", props: dict | None = None, result: dict | None = None):
        self.type, self.name, self.props, self.result = type, name, props or {}, result


@pytest.mark.parametrize(("row", "calls"), [
    (Row("guide:state", "tour", {"guide": "tour", "state": "active"}), [("Guide Started", {"guide": "tour"})]),
    # A tour: started once, then each step it moves on from is completed (not started again).
    (Row("guide:state", "tour", {"guide": "tour", "state": "active", "step": "one",
                                 "from": "not_started"}), [("Guide Started", {"guide": "tour"})]),
    (Row("guide:state", "tour", {"guide": "tour", "state": "active", "step": "two",
                                 "from": "active", "passed": ["one"]}),
     [("Step Completed", {"guide": "tour", "step": "one"})]),
    (Row("guide:state", "tour", {"guide": "tour", "state": "active", "step": "two",
                                 "from": "active"}), []),
    (Row("guide:state", "tour", {"guide": "tour", "state": "completed", "from": "active",
                                 "passed": ["three"]}),
     [("Step Completed", {"guide": "tour", "step": "three"}), ("Guide Completed", {"guide": "tour"})]),
    (Row("guide:state", "tour", {"guide": "tour", "state": "active", "step": "one",
                                 "from": "completed"}), [("Guide Started", {"guide": "tour"})]),
    (Row("guide:state", "tour", {"guide": "tour", "state": "dismissed"}), [("Guide Dismissed", {"guide": "tour"})]),
    (Row("guide:state", "tour", {"guide": "tour", "state": "snoozed"}), []),
    (Row("event:track", "$nudge_opened", {"nudge": 7, "scenario": "stalled"}),
     [("Nudge Opened", {"nudge": 7, "scenario": "stalled"})]),
    (Row("event:track", "connected", {"plan": "pro"}), []),
    (Row("survey:answer", "nps", {"survey": "nps", "version": 2}),
     [("Survey Answered", {"survey": "nps", "version": 2})]),
    (Row("stage", "active", {"subject": "user", "from": "new", "to": "active"}),
     [("Stage Changed", {"from": "new", "to": "active"})]),
    (Row("offer", "tour"), []),
    # An event that completed a step (the ack's "completed") but not yet the guide.
    (Row("event:track", "connected", {}, {"completed": [{"guide": "onboarding", "step": "connect"}],
                                          "progress": {"onboarding": {"state": "active"}}}),
     [("Step Completed", {"guide": "onboarding", "step": "connect"})]),
])
def test_each_guide_event_maps_to_its_track_calls(row, calls):
    assert forward.tracks(row) == calls


def test_erasing_a_user_drops_the_batch_waiting_with_their_calls(client, quick, collector):
    from guide.models import EndUser
    from guide.services import privacy

    forwarding.configure("tests", quick, KEY, collector.url)
    token = factories.socket_token(client, quick, "ada")
    track(client, token, "$guide_shown", guide="quick")
    forward.forward_due(now=later().now)
    [row_id] = [m.id for m in messages()]
    ada = db.session.scalars(db.select(EndUser).where(EndUser.external_id == "ada")).one()
    counts = privacy.erase_user(quick, ada, "tests")
    assert counts["outbox_dropped"] == 1
    assert db.session.get(OutboxMessage, row_id) is None


def test_a_tour_is_started_once_and_each_step_it_moves_on_from_is_completed(client, open_workspace):
    factories.publish(open_workspace, {"key": "tour", "kind": "tour", "title": "Tour", "steps": [
        {"id": step, "title": step.title(), "target": f"#{step}"} for step in ("one", "two",
                                                                              "three")]})
    forwarding.configure("tests", open_workspace, KEY)
    token = factories.socket_token(client, open_workspace, "ben")
    for state, step in (("active", "one"), ("active", "two"), ("active", "two"), ("active", "one"),
                        ("active", "three"), ("completed", None), ("active", "one")):
        send(client, token, "guide:state", guide="tour", state=state,
             **({"step": step} if step else {}))
    forward.forward_due(now=later().now)
    calls = [(c["event"], c["properties"].get("step")) for m in messages()
             for c in m.payload["batch"]]
    # Back from two to one completes nothing; three was reached from one (two done before).
    assert calls == [("Guide Started", None), ("Step Completed", "one"),
                     ("Step Completed", "one"), ("Step Completed", "two"),
                     ("Step Completed", "three"), ("Guide Completed", None),
                     ("Guide Started", None)]
