"""The socket's ``envelopes`` event: several envelopes (the widget's views) in one emit."""

from __future__ import annotations

import time
import uuid

import pytest

from guide.extensions import db
from guide.models import Event, Progress
from guide.realtime import expiry
from tests import factories

NS = "/widget"


def eid() -> str:
    return str(uuid.uuid4())


def view(name: str, **props) -> dict:
    return {"type": "event:track", "data": {"id": eid(), "name": name, "props": props}}


@pytest.fixture
def sock(client, open_workspace, socket_client):
    sock = socket_client(factories.socket_token(client, open_workspace, "ada"))
    assert sock.is_connected(NS), sock.connect_error
    return sock


def batch(sock, envelopes) -> dict:
    return sock.emit("envelopes", {"envelopes": envelopes}, namespace=NS, callback=True)


def events() -> list[tuple[str, str | None]]:
    db.session.expire_all()
    # The envelopes recorded (not bootstrap's offers).
    return [(e.type, e.name) for e in db.session.scalars(
        db.select(Event).where(Event.type != "offer").order_by(Event.id))]


def test_each_envelope_is_recorded_once_and_answered_in_order(sock):
    items = [view("$guide_shown", guide="onboarding"),
             view("$step_shown", guide="onboarding", step="hello"),
             {"type": "step:complete", "data": {"id": eid(), "guide": "onboarding",
                                                "step": "hello"}}]
    answer = batch(sock, items)
    assert answer["ok"] is True
    assert [r["id"] for r in answer["results"]] == [i["data"]["id"] for i in items]
    assert [r["ok"] for r in answer["results"]] == [True, True, True]
    assert answer["results"][2]["completed"] == [{"guide": "onboarding", "step": "hello"}]
    assert events() == [("event:track", "$guide_shown"), ("event:track", "$step_shown"),
                        ("step:complete", "onboarding/hello")]
    # Sent again (a lost ack): the original results, nothing written twice.
    again = batch(sock, items)
    assert [r["duplicate"] for r in again["results"]] == [True, True, True]
    assert len(events()) == 3


def test_a_bad_envelope_is_refused_alone(sock):
    good = view("$checklist_open", guide="onboarding")
    answer = batch(sock, [{"type": "step:complete", "data": {"id": eid(), "guide": "nope",
                                                             "step": "x"}},
                          {"type": "nope", "data": {}}, good])
    assert [r["ok"] for r in answer["results"]] == [False, False, True]
    assert [r["error"]["code"] for r in answer["results"][:2]] == ["unknown_guide",
                                                                  "invalid_payload"]
    assert events() == [("event:track", "$checklist_open")]


@pytest.mark.parametrize("payload", [None, [], {}, {"envelopes": []}, {"envelopes": "x"},
                                     {"envelopes": [1]}, {"envelopes": [{"data": {}}]},
                                     {"envelopes": [view("$x")] * 101}])
def test_a_malformed_batch_gets_one_invalid_payload_and_writes_nothing(sock, payload):
    answer = sock.emit("envelopes", payload, namespace=NS, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "invalid_payload"
    assert "1-100 envelopes" in answer["error"]["message"]
    assert events() == []


def test_each_envelope_counts_against_the_users_budget(app, sock):
    app.config["GUIDE_ENVELOPE_RATE_LIMIT"] = "3/minute"
    answer = batch(sock, [view("$item_expanded", guide="onboarding", step="hello")
                          for _ in range(5)])
    assert [r["ok"] for r in answer["results"]] == [True] * 3 + [False] * 2
    assert answer["results"][-1]["error"]["code"] == "rate_limited"
    assert len(events()) == 3


def test_an_expired_token_refuses_the_whole_batch(app, sock, monkeypatch):
    ttl = app.config["GUIDE_SOCKET_TOKEN_TTL"]
    monkeypatch.setattr(expiry, "now", lambda: time.time() + ttl + 1)
    answer = batch(sock, [view("$guide_shown", guide="onboarding")])
    assert answer["ok"] is False and answer["error"]["code"] == "socket_token_expired"
    assert events() == [] and db.session.scalars(db.select(Progress)).all() == []
